import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.core.management import call_command

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Campaign, JurySession
from admissions.demo.campaigns import shift_date, years_to_open
from admissions.jury.models import AgendaItem, Decision
from admissions.payments.models import EntryKind, LedgerEntry
from admissions.people.models import Role, StaffRole, User
from admissions.rulebooks import preset_path
from admissions.rules.deadlines import PARIS
from admissions.rules.vocabulary import ChargeKind
from tests.jury.cleanup import remove_published_decisions


def test_years_to_open_finds_the_window_over_today() -> None:
    opens, closes = dt.date(2023, 9, 15), dt.date(2024, 6, 7)
    assert years_to_open(opens, closes, dt.date(2024, 1, 10)) == 0
    assert years_to_open(opens, closes, dt.date(2026, 11, 23)) == 3
    assert years_to_open(opens, closes, dt.date(2027, 6, 7)) == 3
    assert years_to_open(opens, closes, dt.date(2027, 6, 8)) == 4


def test_shift_date_keeps_the_end_of_february() -> None:
    assert shift_date(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert shift_date(dt.date(2024, 3, 17), 3) == dt.date(2027, 3, 17)


def _seed() -> None:
    call_command(
        "load_rulebook",
        str(preset_path("imt-bs")),
        str(preset_path("imt-nord-europe")),
        verbosity=0,
    )
    call_command("seed_demo")


@pytest.fixture
def published_decisions_removed() -> Iterator[None]:
    """The demonstration publishes a jury's decision: irrevocable, even for the cleaning."""
    yield
    remove_published_decisions()


@pytest.mark.django_db(transaction=True)
@time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=PARIS), tick=False)
def test_seed_demo_builds_every_stage_once(published_decisions_removed: None) -> None:
    _seed()
    counts = (User.objects.count(), Application.objects.count(), ApplicationEvent.objects.count())
    _seed()
    assert (
        User.objects.count(),
        Application.objects.count(),
        ApplicationEvent.objects.count(),
    ) == counts

    open_campaigns = [c for c in Campaign.objects.all() if c.is_open()]
    assert sorted(c.institution.slug for c in open_campaigns) == ["imt-bs", "imt-nord-europe"]
    assert {c.slug for c in open_campaigns} == {"2027-2028-demo"}

    for role in Role:
        assert StaffRole.objects.filter(role=role).exists(), role
    statuses = dict(Application.objects.values_list("candidate__email", "status"))
    assert statuses == {
        "lea.martin@candidate.example": Status.DRAFT,
        "karim.benali@candidate.example": Status.SUBMITTED,
        "sofia.rossi@candidate.example": Status.ADMISSIBLE,
        "hugo.lefebvre@candidate.example": Status.ADMITTED,
        "ines.moreau@candidate.example": Status.WITHDRAWN,
        "julie.petit@candidate.example": Status.ON_AGENDA,
        "thomas.roux@candidate.example": Status.ON_AGENDA,
        "nadia.haddad@candidate.example": Status.ON_AGENDA,
        "theo.garnier@candidate.example": Status.WAITLISTED,
        "chloe.petit@candidate.example": Status.WAITLISTED,
        "lucas.bernard@candidate.example": Status.ADMITTED_CONDITIONALLY,
        "emma.roux@candidate.example": Status.CONFIRMED,
        "awa.diallo@candidate.example": Status.ADMITTED,
    }
    # A jury session with its president, two members, three files and two decisions to
    # validate, so that the deliberation page shows something.
    session = JurySession.objects.get(
        pk__in=AgendaItem.objects.filter(application__status=Status.ON_AGENDA).values("session_id")
    )
    assert session.members.count() == 3
    assert AgendaItem.objects.filter(session=session).count() == 3
    assert Decision.objects.filter(session=session, validated_at__isnull=True).count() == 2
    ranks = dict(
        Application.objects.filter(status=Status.WAITLISTED).values_list(
            "candidate__email", "waitlist_rank"
        )
    )
    assert ranks == {"theo.garnier@candidate.example": 1, "chloe.petit@candidate.example": 2}
    # Hugo was admitted by the campaign's first session: placed on its agenda, decided by a
    # member, validated by the president, published with his email; that session is closed.
    hugo = Application.objects.get(candidate__email="hugo.lefebvre@candidate.example")
    decision = Decision.objects.get(application=hugo)
    assert decision.published_at is not None
    assert decision.entered_by.email == "juror@imt-nord-europe.example"
    assert decision.validated_by.email == "president@imt-nord-europe.example"
    assert decision.session != session
    assert AgendaItem.objects.get(application=hugo).session == decision.session
    moves = list(
        hugo.events.filter(action__startswith="application.").values_list("action", flat=True)
    )
    assert moves[-2:] == ["application.place_on_agenda", "application.publish_admitted"]
    assert hugo.notifications.filter(kind="decision_admitted").exists()
    # Admitted, Hugo owes what confirming costs at IMT Nord Europe, charged once; the CVEC
    # is paid to the CROUS, not charged by the school.
    hugo = Application.objects.get(candidate__email="hugo.lefebvre@candidate.example")
    owed = LedgerEntry.objects.filter(application=hugo, kind=EntryKind.CHARGE)
    assert sorted(owed.values_list("charge_kind", "instalment")) == [
        (ChargeKind.APPLICATION_FEE, None),
        (ChargeKind.TUITION, 1),
    ]
    karim = Application.objects.get(candidate__email="karim.benali@candidate.example")
    assert karim.events.filter(action="application.submit").count() == 1
    assert User.objects.get(email="camille.durand@candidate.example").check_password(
        "demo-admissions-2026"
    )
