from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import JurySession
from admissions.core.errors import NotAllowed, ValidationFailed
from admissions.jury import decisions, publication, sessions
from admissions.jury.irrevocable import REFUSED, DecisionPublishedError
from admissions.jury.models import Decision
from admissions.jury.places import CapacityError, DerogationCapError
from admissions.notify.models import Notification
from admissions.people.models import User
from tests.jury.conftest import OnAgenda


def test_a_member_enters_the_president_validates_and_publication_moves_and_tells(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    first, second, third = on_agenda(), on_agenda(), on_agenda()
    decisions.enter_decision(first, by=panel["a"], outcome="admitted")
    decisions.enter_decision(
        second, by=panel["b"], outcome="waitlisted", waitlist_rank=1, reason="Bon dossier"
    )
    decisions.enter_decision(third, by=panel["c"], outcome="not_admitted", reason="Projet flou")
    done = decisions.validate_decisions(march, by=panel["president"])
    assert len(done.validated) == 3
    publication.schedule_publication(march, by=panel["president"])
    statuses = {
        a.pk: (a.status, a.waitlist_rank)
        for a in Application.objects.filter(pk__in=[first.pk, second.pk, third.pk])
    }
    assert statuses == {
        first.pk: (Status.ADMITTED, None),
        second.pk: (Status.WAITLISTED, 1),
        third.pk: (Status.NOT_ADMITTED, None),
    }
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"decision_admitted", "decision_waitlisted", "decision_not_admitted"} <= kinds
    assert Decision.objects.filter(published_at__isnull=False).count() == 3


def test_the_reason_the_rulebook_asks_for(on_agenda: OnAgenda, panel: dict[str, User]) -> None:
    with pytest.raises(ValidationFailed):
        decisions.enter_decision(on_agenda(), by=panel["a"], outcome="not_admitted")


def test_a_member_in_conflict_cannot_decide(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    application = on_agenda()
    sessions.declare_conflict(
        application, member=panel["a"], reason="Ancien collègue", by=panel["a"], session=march
    )
    with pytest.raises(decisions.ConflictOfInterestError):
        decisions.enter_decision(application, by=panel["a"], outcome="admitted")
    decisions.enter_decision(application, by=panel["b"], outcome="admitted")
    assert ApplicationEvent.objects.filter(
        application=application, action="jury.conflict_declared"
    ).exists()


def test_someone_not_on_the_session_cannot_decide(
    on_agenda: OnAgenda, panel: dict[str, User], officer: User
) -> None:
    with pytest.raises(NotAllowed):
        decisions.enter_decision(on_agenda(), by=officer, outcome="admitted")


def test_four_eyes_the_president_does_not_validate_their_own(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    application = on_agenda()
    decisions.enter_decision(application, by=panel["president"], outcome="admitted")
    done = decisions.validate_decisions(march, by=panel["president"])
    assert done.validated == []
    assert done.left_for_another == [Decision.objects.get(application=application).pk]
    with pytest.raises(NotAllowed):
        decisions.validate_decisions(march, by=panel["a"])  # a member is no president
    decision = Decision.objects.get(application=application)
    decision.validated_by = panel["president"]
    with pytest.raises(DatabaseError), transaction.atomic():
        decision.save()  # the database's own four-eyes check


def test_no_validation_without_quorum(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession, officer: User
) -> None:
    decisions.enter_decision(on_agenda(), by=panel["a"], outcome="admitted")
    for member in march.members.exclude(user=panel["president"])[:2]:
        sessions.set_presence(member, present=False, by=officer)
    with pytest.raises(decisions.QuorumError):
        decisions.validate_decisions(march, by=panel["president"])


def test_capacity_is_enforced_when_decisions_are_entered(
    on_agenda: OnAgenda, panel: dict[str, User]
) -> None:
    first = on_agenda()
    first.programme.__class__.objects.filter(pk=first.programme_id).update(capacity=1)
    second = on_agenda()
    decisions.enter_decision(first, by=panel["a"], outcome="admitted")
    with pytest.raises(CapacityError):
        decisions.enter_decision(second, by=panel["a"], outcome="admitted")
    decisions.enter_decision(
        second, by=panel["a"], outcome="waitlisted", waitlist_rank=1, reason="x"
    )
    # Another admission may replace the first decision.
    decisions.enter_decision(first, by=panel["a"], outcome="not_admitted", reason="x")
    decisions.enter_decision(second, by=panel["a"], outcome="admitted")


def test_the_derogatory_cap_is_checked_on_validation(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    standard = [on_agenda() for _ in range(2)]
    derogatory = on_agenda(derogatory=True)
    for application in standard:
        decisions.enter_decision(application, by=panel["a"], outcome="admitted")
    decisions.enter_decision(derogatory, by=panel["a"], outcome="admitted")
    # 1 derogatory in a cohort of 3 is 33 % > 30 %.
    with pytest.raises(DerogationCapError):
        decisions.validate_decisions(march, by=panel["president"])
    assert not Decision.objects.filter(validated_at__isnull=False).exists()
    decisions.enter_decision(
        derogatory, by=panel["b"], outcome="waitlisted", waitlist_rank=1, reason="x"
    )
    assert len(decisions.validate_decisions(march, by=panel["president"]).validated) == 3


@pytest.fixture
def published(on_agenda: OnAgenda, panel: dict[str, User], march: JurySession) -> Decision:
    application = on_agenda()
    decisions.enter_decision(application, by=panel["a"], outcome="admitted")
    decisions.validate_decisions(march, by=panel["president"])
    publication.schedule_publication(march, by=panel["president"])
    return Decision.objects.get(application=application)


def _refusals(decision: Decision) -> list[dict[str, object]]:
    return list(
        ApplicationEvent.objects.filter(
            application_id=decision.application_id, action=REFUSED
        ).values_list("details", flat=True)
    )


def test_a_published_decision_is_refused_through_the_service(
    published: Decision, panel: dict[str, User]
) -> None:
    with pytest.raises(DecisionPublishedError):
        decisions.enter_decision(
            published.application, by=panel["b"], outcome="not_admitted", reason="x", via="page"
        )
    [refusal] = _refusals(published)
    assert refusal["path"] == "page"
    event = ApplicationEvent.objects.get(application_id=published.application_id, action=REFUSED)
    assert event.actor == panel["b"]
    assert Decision.objects.get(pk=published.pk).outcome == "admitted"


def test_a_published_decision_is_refused_through_the_model(published: Decision) -> None:
    published.outcome = "not_admitted"
    with pytest.raises(DecisionPublishedError):
        published.save()
    with pytest.raises(DecisionPublishedError):
        published.delete()
    with pytest.raises(DecisionPublishedError):
        Decision.objects.filter(pk=published.pk).update(outcome="not_admitted")
    with pytest.raises(DecisionPublishedError):
        Decision.objects.filter(pk=published.pk).delete()
    assert [r["path"] for r in _refusals(published)] == [
        "model save",
        "model delete",
        "queryset update",
        "queryset delete",
    ]
    assert Decision.objects.get(pk=published.pk).outcome == "admitted"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE jury_decision SET outcome = 'not_admitted' WHERE id = %s",
        "DELETE FROM jury_decision WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_sql(published: Decision, statement: str) -> None:
    with (
        pytest.raises(DatabaseError, match="irrevocable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [published.pk])
    assert Decision.objects.get(pk=published.pk).outcome == "admitted"


def test_the_admin_refuses_and_records(published: Decision, client: object) -> None:
    admin = User.objects.create_superuser(email="root@example.org", password="x")
    client.force_login(admin)  # type: ignore[attr-defined]
    change = f"/admin/jury/decision/{published.pk}/change/"
    delete = f"/admin/jury/decision/{published.pk}/delete/"
    assert client.post(change, {"outcome": "not_admitted"}).status_code == 403  # type: ignore[attr-defined]
    assert client.post(delete, {"post": "yes"}).status_code == 403  # type: ignore[attr-defined]
    assert [r["path"] for r in _refusals(published)] == ["admin change", "admin delete"]
    assert Decision.objects.filter(pk=published.pk).exists()
