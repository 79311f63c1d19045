"""Publishing in bulk gives exactly what publishing file by file gives: statuses, history,
emails and charges; and every receiver of the life cycle's signal still hears each move."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from admissions.applications.history import Planned, transition_many
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application, ApplicationEvent
from admissions.applications.signals import Moved, status_changed, statuses_changed
from admissions.catalog.models import JurySession
from admissions.core.errors import IllegalTransition
from admissions.jury import decisions, publication
from admissions.notify import webhooks
from admissions.notify.models import Notification, WebhookDelivery
from admissions.payments.models import EntryKind, LedgerEntry
from admissions.people.models import Role, User
from tests.factories import staff_member
from tests.jury.conftest import OnAgenda
from tests.notify.test_webhooks import Receiver

# Numbers that differ between two runs by construction (row ids, sequence numbers).
VOLATILE = {"notification", "entry_id", "creditor_reference", "decision_id"}


def _decided(on_agenda: OnAgenda, panel: dict[str, User], march: JurySession) -> list[int]:
    files = []
    for n in range(8):
        application = on_agenda(in_progress=n % 4 == 1)
        if n % 3 == 0:
            User.objects.filter(pk=application.candidate_id).update(preferred_language="en")
        files.append(application)
    outcomes: list[dict[str, Any]] = [
        {"outcome": "admitted"},
        {"outcome": "admitted_conditionally"},
        {"outcome": "waitlisted", "waitlist_rank": 1, "reason": "Bon dossier"},
        {"outcome": "not_admitted", "reason": "Projet flou"},
        {"outcome": "admitted"},
        {"outcome": "admitted", "diploma_obtained": True},
        {"outcome": "waitlisted", "waitlist_rank": 2, "reason": "Bon dossier"},
        {"outcome": "not_admitted", "reason": "Hors sujet"},
    ]
    for application, decision in zip(files, outcomes, strict=True):
        decisions.enter_decision(application, by=panel["a"], **decision)
    decisions.validate_decisions(march, by=panel["president"])
    return [a.pk for a in files]


def _clean(details: Any) -> Any:
    if isinstance(details, dict):
        return tuple(sorted((k, _clean(v)) for k, v in details.items() if k not in VOLATILE))
    if isinstance(details, list):
        return tuple(_clean(v) for v in details)
    return details


def _observed(ids: list[int]) -> dict[str, Any]:
    references = dict(Application.objects.filter(pk__in=ids).values_list("pk", "reference"))
    return {
        "files": sorted(
            Application.objects.filter(pk__in=ids).values_list(
                "reference", "status", "waitlist_rank"
            )
        ),
        "history": sorted(
            (
                references[e.application_id],
                e.action,
                e.actor_id,
                e.from_status,
                e.to_status,
                _clean(e.details),
            )
            for e in ApplicationEvent.objects.filter(application_id__in=ids)
        ),
        "emails": sorted(
            (
                references[n.application_id],
                n.key,
                n.kind,
                n.audience,
                n.recipient_id,
                n.to_address,
                n.reply_to,
                n.language,
                n.subject,
                n.text,
                n.html,
                n.status,
                n.sensitive,
            )
            for n in Notification.objects.filter(application_id__in=ids)
        ),
        "webhooks": sorted(
            (
                d.payload["data"]["reference"],
                d.endpoint_id,
                d.event,
                _clean(d.payload["data"]),
            )
            for d in WebhookDelivery.objects.filter(
                payload__data__reference__in=list(references.values())
            )
        ),
        "charges": sorted(
            (
                references[e.application_id],
                e.charge_kind,
                e.amount_cents,
                e.instalment,
                e.due_on,
                e.created_by_id,
            )
            for e in LedgerEntry.objects.filter(application_id__in=ids, kind=EntryKind.CHARGE)
        ),
    }


def _publish(session: JurySession, *, one_by_one: bool) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        publication.publish_session(session.pk, one_by_one=one_by_one)


def test_bulk_and_one_by_one_publication_give_the_same_results(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    ids = _decided(on_agenda, panel, march)
    institution = march.campaign.institution
    admin = staff_member(Role.INSTITUTION_ADMIN, institution=institution)
    with Receiver() as receiver:
        webhooks.register_endpoint(
            institution=institution, url=receiver.url, events=["decision.published"], by=admin
        )
        before = _observed(ids)
        savepoint = transaction.savepoint()
        _publish(march, one_by_one=True)
        one_by_one = _observed(ids)
        transaction.savepoint_rollback(savepoint)
        assert _observed(ids) == before
        receiver.received.clear()
        _publish(march, one_by_one=False)
    in_bulk = _observed(ids)
    assert one_by_one == in_bulk
    # Each decision is an event to the institution's endpoint, delivered.
    assert len(in_bulk["webhooks"]) == 8
    assert len(receiver.received) == 8
    # And it did publish: moves, decision emails, confirmation emails, charges.
    statuses = [status for _ref, status, _rank in in_bulk["files"]]
    assert statuses.count(Status.ADMITTED) == 3
    assert statuses.count(Status.ADMITTED_CONDITIONALLY) == 1
    kinds = [row[2] for row in in_bulk["emails"]]
    assert kinds.count("confirmation_opened") == 4
    assert len([k for k in kinds if k.startswith("decision_")]) == 8
    assert {row[7] for row in in_bulk["emails"]} == {"fr", "en"}
    assert in_bulk["charges"] != before["charges"]


def test_every_receiver_hears_each_move_of_a_batch(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    files = [on_agenda() for _ in range(3)]
    heard: list[tuple[int, str, bool]] = []
    batches: list[int] = []

    def each(sender: Any, *, application_id: int, to_status: str, **kwargs: Any) -> None:
        heard.append((application_id, to_status, kwargs.get("in_bulk", False)))

    def batch(sender: Any, *, moves: list[Any], **kwargs: Any) -> None:
        batches.append(len(moves))

    status_changed.connect(each, dispatch_uid="test.each")
    statuses_changed.connect(batch, dispatch_uid="test.batch")
    try:
        with TestCase.captureOnCommitCallbacks(execute=True):
            transition_many(
                [Planned(application_id=a.pk, action="publish_not_admitted") for a in files]
            )
    finally:
        status_changed.disconnect(dispatch_uid="test.each")
        statuses_changed.disconnect(dispatch_uid="test.batch")
    assert batches == [3]
    assert sorted(heard) == sorted((a.pk, "not_admitted", True) for a in files)


def test_one_illegal_move_moves_nothing(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    first, second = on_agenda(), on_agenda()
    Application.objects.filter(pk=second.pk).update(status=Status.WITHDRAWN)
    with pytest.raises(IllegalTransition):
        transition_many(
            [
                Planned(application_id=first.pk, action="publish_admitted"),
                Planned(application_id=second.pk, action="publish_admitted"),
            ]
        )
    assert Application.objects.get(pk=first.pk).status == Status.ON_AGENDA
    assert not ApplicationEvent.objects.filter(action="application.publish_admitted").exists()


def test_a_batch_of_moves_reads_the_endpoints_once_whatever_its_size(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    files = [on_agenda() for _ in range(6)]
    moves = [
        Moved(
            application_id=a.pk,
            action="publish_admitted",
            from_status="on_agenda",
            to_status="admitted",
            by_id=None,
        )
        for a in files
    ]
    with CaptureQueriesContext(connection) as queries:
        webhooks.queue_events(moves)
    assert len(queries) == 1  # no institution has an endpoint: nothing more
    assert not WebhookDelivery.objects.exists()
