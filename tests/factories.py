"""Test data built with factory-boy, on the catalogue the shipped rulebooks load.

`load_preset("imt-nord-europe")` loads src/admissions/rulebooks/<preset>.toml through
`catalog.services.load_rulebook`, exactly as the `load_rulebook` command does. The shipped
campaigns are of 2023-2024, so tests that need an open campaign travel in time to a day
inside it (`IN_NORD_CAMPAIGN`, `IN_BS_CAMPAIGN`, with time-machine).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import factory

from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Institution, Programme
from admissions.catalog.services import load_rulebook
from admissions.documents.lifecycle import DocumentState
from admissions.documents.models import Document
from admissions.documents.status import missing_requirements
from admissions.payments import ledger
from admissions.payments.models import Method
from admissions.people.models import Role, StaffRole, User
from admissions.people.profile import CandidateProfile, Education, WorkPeriod
from admissions.rules.deadlines import PARIS
from admissions.rules.rulebook import validate_rulebook
from admissions.rules.vocabulary import ChargeKind
from admissions.workflow.drafts import create_application

RULEBOOKS = Path(__file__).resolve().parents[1] / "src" / "admissions" / "rulebooks"

# Days inside the shipped campaigns (Paris time), before IMT Nord Europe's international
# deadline of 17 March 2024 and IMT-BS's closing on 13 September 2024.
IN_NORD_CAMPAIGN = dt.datetime(2024, 2, 12, 10, 0, tzinfo=PARIS)
IN_BS_CAMPAIGN = dt.datetime(2024, 2, 12, 10, 0, tzinfo=PARIS)


def rulebook_raw(preset: str) -> dict[str, Any]:
    return tomllib.loads((RULEBOOKS / f"{preset}.toml").read_text(encoding="utf-8"))


def load_preset(
    preset: str, *, edit: Callable[[dict[str, Any]], None] | None = None, **campaign: Any
) -> Campaign:
    """Load a shipped rulebook into the catalogue.

    `campaign` overrides keys of its [campaign] table; `edit` may change anything else of
    the raw rulebook before it is validated.
    """
    raw = rulebook_raw(preset)
    raw["campaign"].update(campaign)
    if edit is not None:
        edit(raw)
    loaded = validate_rulebook(raw, source=f"{preset}.toml")
    load_rulebook(loaded)
    institution = Institution.objects.get(slug=raw["institution"]["slug"])
    return Campaign.objects.get(institution=institution, slug=raw["campaign"]["slug"])


def type_the_letter(raw: dict[str, Any]) -> None:
    """Edit a rulebook so that the cover letter is typed in the form, not sent as a file."""
    for requirement in raw["documents"]["requirements"]:
        if requirement["code"] == "lettre-motivation":
            requirement["typed"] = True


def programme_of(campaign: Campaign, slug: str | None = None) -> Programme:
    """A programme of the campaign's institution: the one named, else the first."""
    programmes = Programme.objects.filter(institution_id=campaign.institution_id)
    if slug is not None:
        return programmes.get(slug=slug)
    first = programmes.order_by("pk").first()
    assert first is not None
    return first


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def saved(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()


class CandidateProfileFactory(factory.django.DjangoModelFactory):
    """A French candidate living in France; add education and work with the factories below."""

    class Meta:
        model = CandidateProfile

    user = factory.SubFactory(UserFactory)
    given_names = "Camille"
    family_name = "Martin"
    birth_date = dt.date(1995, 5, 17)
    nationality = "FR"
    residence_country = "FR"


class EducationFactory(factory.django.DjangoModelFactory):
    """An engineering diploma (Bac+5) obtained in France in 2020."""

    class Meta:
        model = Education

    profile = factory.SubFactory(CandidateProfileFactory)
    level = 5
    diploma_kind = "cti_engineering"
    title = "Diplôme d'ingénieur"
    school = "École des Mines"
    country = "FR"
    year = 2020
    status = "obtained"


class WorkPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkPeriod

    profile = factory.SubFactory(CandidateProfileFactory)
    employer = "Acme"
    position = "Engineer"
    start = dt.date(2020, 9, 1)
    end = None


def eligible_candidate(**profile: Any) -> User:
    """A candidate whose profile fits the standard Bac+5 routes of both presets."""
    made = CandidateProfileFactory(**profile)
    EducationFactory(profile=made)
    return made.user


def staff_member(
    role: Role, *, institution: Institution | None = None, programme: Programme | None = None
) -> User:
    """A staff member holding `role` on an institution, or on one programme of it."""
    user = UserFactory()
    if programme is not None and institution is None:
        institution = programme.institution
    StaffRole.objects.create(user=user, role=role, institution=institution, programme=programme)
    return user


class DocumentFactory(factory.django.DjangoModelFactory):
    """A document slot of an application holding a file that passed the arrival checks."""

    class Meta:
        model = Document

    requirement_code = "cv"
    state = DocumentState.ACCEPTED_ON_ARRIVAL


COVER_LETTER = (
    "Après cinq ans comme ingénieure en logistique chez un équipementier automobile, je "
    "souhaite approfondir la conduite de projets de transformation. Ce Mastère Spécialisé "
    "répond précisément à ce besoin : ses cours de pilotage du changement, le projet mené avec "
    "une entreprise partenaire et la mission de six mois me permettront de passer d'un rôle "
    "d'exécution à un rôle de pilotage. J'ai déjà conduit la refonte de notre entrepôt de "
    "Douai, qui m'a montré combien la méthode compte autant que la technique. Je souhaite "
    "désormais structurer cette expérience, rencontrer des professionnels d'autres secteurs "
    "et acquérir les outils de gestion financière qui me manquent pour diriger des projets "
    "de plus grande ampleur dans l'industrie."
)
PROFESSIONAL_PROJECT = (
    "À l'issue du programme, je vise un poste de cheffe de projet transformation dans "
    "l'industrie manufacturière de la région Hauts-de-France, puis la direction d'un service "
    "d'amélioration continue d'ici cinq ans. Le Mastère m'apportera la gestion de projet, la "
    "conduite du changement et le réseau des anciens pour y parvenir. Je compte m'appuyer "
    "sur la mission en entreprise pour démontrer ces compétences à un futur employeur du "
    "secteur."
)


def accept_all_documents(application: Application) -> None:
    """Put an accepted file in every checklist slot the candidate must fill."""
    for code in missing_requirements(application):
        Document.objects.update_or_create(
            application=application,
            requirement_code=code,
            translation_of=None,
            defaults={"state": DocumentState.ACCEPTED_ON_ARRIVAL},
        )


def pay_fee(application: Application) -> None:
    due = ledger.balance_cents(application.pk, ChargeKind.APPLICATION_FEE)
    if due > 0:
        ledger.record_payment(
            application.pk,
            charge_kind=ChargeKind.APPLICATION_FEE,
            amount_cents=due,
            method=Method.CARD,
            by=None,
            external_id=f"test-{application.reference}",
        )


def draft(
    candidate: User,
    campaign: Campaign,
    programme: Programme | None = None,
    *,
    track: str = "full_time",
    financing_mode: str = "personnel",
    **texts: str,
) -> Application:
    return create_application(
        candidate=candidate,
        campaign=campaign,
        programme=programme or programme_of(campaign),
        track=track,
        financing_mode=financing_mode,
        cover_letter=texts.get("cover_letter", ""),
        professional_project=texts.get("professional_project", ""),
    )


def unsaved_application(
    campaign: Campaign, programme: Programme, reference: str, pk: int | None = None
) -> Application:
    """A new eligible candidate's file, not written: for the tests of how rows are written."""
    return Application(
        pk=pk,
        candidate=eligible_candidate(),
        campaign=campaign,
        programme=programme,
        track="full_time",
        financing_mode="personnel",
        reference=reference,
    )


def ready_application(
    candidate: User, campaign: Campaign, programme: Programme | None = None, **choices: str
) -> Application:
    """A draft that passes every pre-submission check."""
    application = draft(
        candidate,
        campaign,
        programme,
        cover_letter=COVER_LETTER,
        professional_project=PROFESSIONAL_PROJECT,
        **choices,
    )
    accept_all_documents(application)
    pay_fee(application)
    return application
