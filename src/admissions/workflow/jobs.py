"""The periodic jobs of the platform, in the order they run, for `core.scheduler`.

Each is idempotent (it selects by date and status and decides again on locked rows); the
scheduler adds a lock per job so that two machines do not both do the work.
"""

from __future__ import annotations

import datetime as dt

from admissions.core.scheduler import Job
from admissions.documents.housekeeping import run_upkeep
from admissions.notify import webhooks
from admissions.notify.queue import deliver_due
from admissions.people.session_upkeep import delete_expired
from admissions.workflow import conditions, reminders, waitlist
from admissions.workflow.confirmation import lapse_overdue
from admissions.workflow.declared_transfers import flag_unmatched, sweep_fee_awaited

QUARTER = dt.timedelta(minutes=15)
DAY = dt.timedelta(days=1)


def _lapse(now: dt.datetime) -> str:
    released = lapse_overdue(now)
    return f"places released: {', '.join(released) or 'none'}"


def _conditions(now: dt.datetime) -> str:
    lapsed = conditions.lapse_unmet_conditions(now)
    return f"admissions on condition lapsed: {', '.join(lapsed) or 'none'}"


def _waiting_list(now: dt.datetime) -> str:
    called = waitlist.fill_all(now)
    return f"called from the waiting list: {', '.join(called) or 'none'}"


def _fee_awaited(now: dt.datetime) -> str:
    moved = sweep_fee_awaited()
    return f"fee-awaited files moved on: {', '.join(moved) or 'none'}"


def _unmatched_transfers(now: dt.datetime) -> str:
    flagged = flag_unmatched(now)
    return f"declared transfers flagged: {', '.join(flagged) or 'none'}"


def _upkeep(now: dt.datetime) -> str:
    upkeep = run_upkeep(now)
    rescanned = ", ".join(f"{status}: {count}" for status, count in upkeep.rescanned.items())
    return (
        f"documents rescanned ({rescanned or 'none'}); abandoned uploads deleted: "
        f"{upkeep.incoming_deleted}; quarantined files deleted: {upkeep.quarantine_deleted}; "
        f"files no row names deleted: {upkeep.orphans_deleted}"
    )


def _deadlines(now: dt.datetime) -> str:
    return f"deadline reminders queued: {reminders.remind_deadlines(now)}"


def _refused(now: dt.datetime) -> str:
    return f"reminders of documents to replace queued: {reminders.remind_refused_documents(now)}"


def _confirmations(now: dt.datetime) -> str:
    return f"confirmation reminders queued: {reminders.remind_confirmations(now)}"


def _instalments(now: dt.datetime) -> str:
    return f"instalment reminders queued: {reminders.remind_instalments(now)}"


def _funding(now: dt.datetime) -> str:
    return f"funding request reminders queued: {reminders.remind_funding_requests(now)}"


def _sessions(now: dt.datetime) -> str:
    return f"expired sessions deleted: {delete_expired(now)}"


def _deliver(now: dt.datetime) -> str:
    return f"emails due sent again: {deliver_due(now)}"


def _webhooks(now: dt.datetime) -> str:
    return f"webhook deliveries attempted: {webhooks.deliver_due(now)}"


JOBS = [
    Job("lapse_overdue_places", _lapse),
    Job("unmet_conditions", _conditions),
    Job("waiting_list", _waiting_list),
    Job("fee_awaited_files", _fee_awaited),
    Job("unmatched_declared_transfers", _unmatched_transfers, every=QUARTER),
    Job("deadline_reminders", _deadlines, every=QUARTER),
    Job("refused_documents_reminders", _refused, every=QUARTER),
    Job("confirmation_reminders", _confirmations, every=QUARTER),
    Job("instalment_reminders", _instalments, every=QUARTER),
    Job("funding_reminders", _funding, every=QUARTER),
    Job("documents_upkeep", _upkeep),
    Job("expired_sessions", _sessions, every=DAY),
]
# Last: what every job queued goes out at once where tasks cannot be deferred.
DELIVERY = [
    Job("deliver_due_emails", _deliver),
    Job("deliver_due_webhooks", _webhooks),
]
