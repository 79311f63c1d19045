"""Demonstration candidates, each at a different stage of the life of an application.

Every step goes through the same services the pages call, so the demonstration shows what
the product really does: documents pass the arrival checks, fees go through the ledger and
each move is in the file's history.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

import pikepdf
from django.utils import timezone
from PIL import Image

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Programme
from admissions.demo.accounts import demo_user, staff_email
from admissions.demo.deliberation import decide_and_publish
from admissions.documents.models import Document
from admissions.documents.services import requirement_for, upload_document
from admissions.documents.status import missing_requirements
from admissions.people.models import User
from admissions.people.profile import CandidateProfile, Education, WorkPeriod
from admissions.review import admissibility, completeness, interviews
from admissions.review.models import Outcome
from admissions.review.scores import Score
from admissions.rules.deadlines import PARIS, paris_date
from admissions.rules.vocabulary import DocumentFormat
from admissions.workflow import places
from admissions.workflow.confirmation import confirm_place
from admissions.workflow.drafts import create_application, withdraw
from admissions.workflow.fees import mark_fee_paid
from admissions.workflow.international import record_campus_france_number
from admissions.workflow.submission import submit

COVER_LETTER = (
    "Après cinq années passées à concevoir des systèmes d'information dans l'industrie, je "
    "souhaite approfondir la sécurité de ces systèmes, que j'ai vue se dégrader faute de "
    "compétences dédiées dans les équipes où j'ai travaillé. Le Mastère Spécialisé répond "
    "précisément à ce besoin : ses enseignements couvrent l'architecture sécurisée, la "
    "gestion des incidents et la gouvernance, et le stage de six mois me permettra de mettre "
    "ces acquis en pratique dans une équipe de réponse aux incidents. Mon expérience de chef "
    "de projet m'a appris à faire travailler ensemble des métiers différents ; je veux la "
    "mettre au service de la sécurité des organisations, en particulier des entreprises de "
    "taille intermédiaire de la région, qui manquent de profils capables de relier les "
    "exigences techniques et les enjeux de direction."
)
PROJECT = (
    "À l'issue du Mastère, je vise un poste de responsable de la sécurité des systèmes "
    "d'information dans une entreprise industrielle de taille intermédiaire, puis, à cinq "
    "ans, la direction d'une équipe de sécurité opérationnelle. Le stage servira de tremplin "
    "vers ce premier poste, dans une structure qui déploie un centre de supervision. Je "
    "compte aussi préparer pendant l'année une certification reconnue en gestion des risques."
)


@dataclass(frozen=True)
class Persona:
    email: str
    given: str
    family: str
    nationality: str
    residence: str
    birth: dt.date
    diploma: tuple[int, str, str, str, int]  # level, kind, title, country, year
    work_since: dt.date | None
    institution: str
    programme: str
    track: str
    financing: str
    # account, draft, submitted, admissible, admitted, withdrawn; after the jury: waitlisted,
    # conditional (admitted on condition), confirmed, international (a non-EU admission)
    stage: str


PERSONAS = [
    Persona(
        "camille.durand@candidate.example",
        "Camille",
        "Durand",
        "FR",
        "FR",
        dt.date(1998, 4, 2),
        (5, "master_m2", "Master Informatique", "FR", 2021),
        None,
        "",
        "",
        "",
        "",
        "account",
    ),
    Persona(
        "lea.martin@candidate.example",
        "Léa",
        "Martin",
        "FR",
        "FR",
        dt.date(1996, 11, 20),
        (5, "cti_engineering", "Diplôme d'ingénieur", "FR", 2019),
        dt.date(2019, 9, 2),
        "imt-nord-europe",
        "ms-cybersecurite",
        "full_time",
        "personnel",
        "draft",
    ),
    Persona(
        "karim.benali@candidate.example",
        "Karim",
        "Benali",
        "MA",
        "FR",
        dt.date(1995, 6, 8),
        (5, "foreign", "Master en management", "MA", 2020),
        dt.date(2020, 10, 1),
        "imt-nord-europe",
        "ms-cybersecurite",
        "full_time",
        "demandeur-emploi",
        "submitted",
    ),
    Persona(
        "sofia.rossi@candidate.example",
        "Sofia",
        "Rossi",
        "IT",
        "FR",
        dt.date(1997, 2, 14),
        (5, "foreign", "Laurea magistrale in economia", "IT", 2021),
        dt.date(2021, 9, 1),
        "imt-bs",
        "",
        "work_study",
        "entreprise",
        "admissible",
    ),
    Persona(
        "hugo.lefebvre@candidate.example",
        "Hugo",
        "Lefebvre",
        "FR",
        "FR",
        dt.date(1994, 9, 30),
        (5, "master_m2", "Master Énergie", "FR", 2018),
        dt.date(2018, 9, 3),
        "imt-nord-europe",
        "",
        "full_time",
        "personnel",
        "admitted",
    ),
    Persona(
        "ines.moreau@candidate.example",
        "Inès",
        "Moreau",
        "FR",
        "FR",
        dt.date(1999, 1, 5),
        (5, "master_m2", "Master Droit", "FR", 2022),
        dt.date(2022, 9, 1),
        "imt-bs",
        "",
        "full_time",
        "personnel",
        "withdrawn",
    ),
    Persona(
        "theo.garnier@candidate.example",
        "Théo",
        "Garnier",
        "FR",
        "FR",
        dt.date(1996, 3, 11),
        (5, "master_m2", "Master Informatique", "FR", 2020),
        dt.date(2020, 9, 1),
        "imt-nord-europe",
        "",
        "full_time",
        "personnel",
        "waitlisted",
    ),
    Persona(
        "chloe.petit@candidate.example",
        "Chloé",
        "Petit",
        "FR",
        "FR",
        dt.date(1997, 7, 23),
        (5, "cti_engineering", "Diplôme d'ingénieur", "FR", 2021),
        dt.date(2021, 9, 1),
        "imt-nord-europe",
        "",
        "full_time",
        "personnel",
        "waitlisted",
    ),
    Persona(
        "lucas.bernard@candidate.example",
        "Lucas",
        "Bernard",
        "FR",
        "FR",
        dt.date(2001, 5, 17),
        (5, "master_m2", "Master Réseaux", "FR", 2024),
        None,
        "imt-nord-europe",
        "",
        "full_time",
        "personnel",
        "conditional",
    ),
    Persona(
        "emma.roux@candidate.example",
        "Emma",
        "Roux",
        "FR",
        "FR",
        dt.date(1993, 12, 2),
        (5, "master_m2", "Master Génie industriel", "FR", 2017),
        dt.date(2017, 9, 4),
        "imt-nord-europe",
        "",
        "full_time",
        "plan-formation-entreprise",
        "confirmed",
    ),
    Persona(
        "awa.diallo@candidate.example",
        "Awa",
        "Diallo",
        "SN",
        "SN",
        dt.date(1995, 8, 19),
        (5, "foreign", "Master en informatique", "SN", 2019),
        dt.date(2019, 10, 1),
        "imt-nord-europe",
        "",
        "full_time",
        "personnel",
        "international",
    ),
]


def sample_pdf(title: str) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = title
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def sample_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 800), (200, 210, 220)).save(out, format="JPEG", quality=80)
    return out.getvalue()


# Where the demonstration's candidates were born, by nationality: a town of that country.
BIRTH_PLACES = {
    "FR": "Lille (France)",
    "MA": "Casablanca (Maroc)",
    "IT": "Torino (Italia)",
    "SN": "Dakar (Sénégal)",
}


def _profile(persona: Persona, user: User) -> None:
    profile, created = CandidateProfile.objects.get_or_create(user=user)
    if not created and profile.nationality:
        return
    profile.given_names = persona.given
    profile.family_name = persona.family
    profile.birth_date = persona.birth
    profile.birth_place = BIRTH_PLACES.get(persona.nationality, "")
    profile.nationality = persona.nationality
    profile.residence_country = persona.residence
    if persona.nationality != "FR":
        profile.french_certificate, profile.french_level = "DELF", "B2"
    if persona.nationality == "MA":
        # A non-EU national living in France holds a residence permit.
        profile.permit_kind = "student"
        profile.in_france_since = dt.date(2021, 9, 1)
        profile.permit_valid_until = paris_date(timezone.now()) + dt.timedelta(days=400)
    profile.save()
    level, kind, title, country, year = persona.diploma
    Education.objects.create(
        profile=profile, level=level, diploma_kind=kind, title=title, country=country, year=year
    )
    if persona.work_since:
        WorkPeriod.objects.create(
            profile=profile,
            employer="Entreprise de démonstration",
            position="Chef de projet",
            start=persona.work_since,
        )


def _upload_everything(application: Application, by: User) -> None:
    valid_until = paris_date(timezone.now()) + dt.timedelta(days=3 * 365)
    for code in missing_requirements(application):
        requirement = requirement_for(application, code)
        if requirement.provided_by != "candidate":
            continue  # the admissions office files it, never the candidate
        if DocumentFormat.PDF in requirement.formats:
            content, name = sample_pdf(requirement.label.fr), f"{code}.pdf"
        else:
            content, name = sample_jpeg(), f"{code}.jpg"
        upload_document(
            application=application,
            requirement_code=code,
            stream=io.BytesIO(content),
            filename=name,
            by=by,
            valid_until=valid_until if requirement.needs_validity_date else None,
            foreign_language=False,
        )


def _staff(campaign: Campaign, prefix: str) -> User:
    return User.objects.get(email=staff_email(prefix, campaign.institution))


def _to_stage(application: Application, persona: Persona, user: User) -> None:
    if persona.stage == "draft":
        return
    campaign = application.campaign
    _upload_everything(application, user)
    if persona.stage == "withdrawn":
        withdraw(application, by=user, reason="J'ai choisi un autre programme.")
        return
    mark_fee_paid(application, by=_staff(campaign, "finance"), note="Démonstration")
    submit(application, by=user)
    officer, lead = _staff(campaign, "officer"), _staff(campaign, "lead")
    later: list[tuple[str, User]] = []
    if persona.stage in ("admissible", "admitted", *AFTER_JURY):
        _review(application, officer, lead)
    if persona.stage == "admissible":
        _invite_with_slots(application, officer, _staff(campaign, "interviewer"))
    if persona.stage == "admitted":
        # A jury's session decides it, as any file; its publication emails the candidate
        # and charges what confirming costs (workflow.confirmation).
        decide_and_publish(application, outcome="admitted")
    if persona.stage in AFTER_JURY:
        # Publishing the admission charges what confirming costs (workflow.confirmation).
        president = _staff(campaign, "president")
        later += [("place_on_agenda", officer), (AFTER_JURY[persona.stage], president)]
    for action, actor in later:
        transition(application, action=action, by=actor, details={"demo": True})
    _after_jury(application, persona, user)


# The jury's publication each stage after the jury comes from (the admitted candidate's
# decision goes through a session's pages, see `decide_and_publish`).
AFTER_JURY = {
    "waitlisted": "publish_waitlisted",
    "conditional": "publish_admitted_conditionally",
    "confirmed": "publish_admitted",
    "international": "publish_admitted",
}
# The jury's rank of each demonstration candidate on the waiting list.
WAITLIST_RANKS = {"theo.garnier@candidate.example": 1, "chloe.petit@candidate.example": 2}


def _after_jury(application: Application, persona: Persona, user: User) -> None:
    if persona.stage == "waitlisted":
        # The rank is the jury's; the demonstration writes it as the jury's pages would.
        Application.objects.filter(pk=application.pk).update(
            waitlist_rank=WAITLIST_RANKS[persona.email]
        )
    elif persona.stage == "confirmed":
        confirm_place(application, by=user)
    elif persona.stage == "international":
        record_campus_france_number(application, by=user, number="SN24-004217")


def _review(application: Application, officer: User, lead: User) -> None:
    """The office accepts every document (the file becomes complete), the lead says yes."""
    for document in Document.objects.filter(application=application, translation_of=None):
        completeness.accept(document, by=officer)
    criteria = application.rules.review.criteria
    admissibility.record_admissibility(
        application,
        by=lead,
        scores={c.code: Score(15, "Démonstration") for c in criteria},
        outcome=Outcome.POSITIVE,
        comment="Dossier cohérent (démonstration).",
    )


def _invite_with_slots(application: Application, officer: User, interviewer: User) -> None:
    """An invitation and five working days of slots, from 10:00 Paris time, to book."""
    programme = application.programme
    interviews.set_video_link_template(
        programme, by=officer, template="https://visio.example.org/entretien-{slot}"
    )
    interviews.invite(application, by=officer)
    start = timezone.localtime(timezone.now(), PARIS).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    days = [start + dt.timedelta(days=n) for n in range(3, 12)]
    for day in [d for d in days if d.weekday() < 5][:5]:
        for minutes in (0, 45):
            interviews.publish_slot(
                programme,
                by=officer,
                starts_at=day + dt.timedelta(minutes=minutes),
                interviewer=interviewer,
            )


def _demo_campaign(slug: str) -> Campaign | None:
    return (
        Campaign.objects.filter(institution__slug=slug, slug__endswith="-demo")
        .order_by("-opens_on")
        .first()
    )


def _programme(campaign: Campaign, persona: Persona) -> Programme:
    programmes = Programme.objects.filter(institution=campaign.institution, is_active=True)
    if persona.programme:
        return programmes.get(slug=persona.programme)
    offering = [p for p in programmes.order_by("slug") if persona.track in p.tracks]
    # Every file past the jury is in one programme: its places page shows them together.
    return offering[-1] if persona.stage in AFTER_JURY else offering[0]


def create_candidates(report: Callable[[str], None]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for persona in PERSONAS:
        user = demo_user(persona.email, given=persona.given, family=persona.family)
        _profile(persona, user)
        rows.append((persona.email, persona.stage))
        if persona.stage == "account":
            continue
        campaign = _demo_campaign(persona.institution)
        if campaign is None:
            report(f"no demonstration campaign for {persona.institution}: {persona.email} skipped")
            continue
        programme = _programme(campaign, persona)
        if Application.objects.filter(candidate=user, campaign=campaign).exists():
            continue
        application = create_application(
            candidate=user,
            campaign=campaign,
            programme=programme,
            track=persona.track,
            financing_mode=persona.financing,
            cover_letter=COVER_LETTER,
            professional_project=PROJECT,
        )
        _to_stage(application, persona, user)
    _fill_the_programme_with_a_waiting_list()
    return rows


def _fill_the_programme_with_a_waiting_list() -> None:
    """The programme where candidates wait gets as many places as it offered, so that its
    waiting list waits until someone gives a place up (the periodic job would call them into
    free places otherwise)."""
    waiting = Application.objects.filter(status=Status.WAITLISTED).values_list(
        "programme_id", "campaign_id"
    )
    for programme_id, campaign_id in set(waiting):
        offered = Application.objects.filter(
            programme_id=programme_id,
            campaign_id=campaign_id,
            status__in=[*places.HOLDING, *places.OFFERED],
        ).count()
        Programme.objects.filter(pk=programme_id).update(capacity=offered)
