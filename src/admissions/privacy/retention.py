"""The retention job: personal data goes when the institution's periods end.

Run by the scheduler (registered in `PrivacyConfig.ready`). For each institution that set
its periods (`[privacy.retention]` of its rulebook), it erases the personal data of the files
past their period (`erasure.erase_file`), then the accounting records' personal details past
theirs, then the identity of accounts all of whose files are erased, and deletes the staff's
access log rows past their months. Every step selects what is not done yet and decides again
on locked rows, so a second run changes nothing; nothing it touches is counted by the
statistics (statuses, programmes and step counts stay). Each file touched gets a line in its
history; a run that changed anything leaves a `RetentionRun` row with its counts.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db.models import Exists, Max, OuterRef
from django.utils import timezone

from admissions.applications.models import Application
from admissions.catalog.models import Institution, without_rulebooks
from admissions.documents.accesslog import purge_older_than
from admissions.people.models import User
from admissions.privacy.erasure import (
    accounts_until,
    erase_account,
    erase_accounting,
    erase_file,
    personal_until,
)
from admissions.privacy.models import Cause, ErasureRequest, RetentionRun
from admissions.rules.deadlines import PARIS, paris_date
from admissions.rules.retention import access_log_cutoff, add_months
from admissions.rules.schema import Retention

logger = logging.getLogger(__name__)


@dataclass
class Summary:
    files: int = 0
    accounting: int = 0
    accounts: int = 0
    access_log: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.files or self.accounting or self.accounts or self.access_log)

    def __str__(self) -> str:
        return (
            f"files erased: {self.files}; accounting records made anonymous: "
            f"{self.accounting}; accounts erased: {self.accounts}; access log rows deleted: "
            f"{self.access_log}"
        )


def _files(institution: Institution, retention: Retention, today: dt.date) -> int:
    # No file of a campaign closed less than the shortest period ago can be due.
    shortest = min(retention.not_admitted_months, 12 * retention.admitted_years)
    candidates = (
        Application.objects.filter(
            campaign__institution=institution,
            campaign__closes_on__lt=add_months(today, -shortest),
            erasure__isnull=True,
        )
        .select_related("campaign")
        .defer(*without_rulebooks("campaign"))
        .order_by("pk")
    )
    erased = 0
    for application in candidates.iterator(chunk_size=500):
        if personal_until(application, retention) < today and erase_file(
            application, cause=Cause.RETENTION
        ):
            erased += 1
    return erased


def _accounting(institution: Institution, retention: Retention, today: dt.date) -> int:
    pending = (
        Application.objects.filter(
            campaign__institution=institution,
            erasure__isnull=False,
            erasure__accounting_erased_at__isnull=True,
        )
        .select_related("campaign")
        .defer(*without_rulebooks("campaign"))
        .order_by("pk")
    )
    done = 0
    for application in pending.iterator(chunk_size=500):
        until = accounts_until(application, retention)
        if (until is None or until < today) and erase_accounting(application):
            done += 1
    return done


def _accounts() -> int:
    """Accounts whose every file is erased, that asked for it or were not used since."""
    unerased_file = Application.objects.filter(candidate=OuterRef("pk"), erasure__isnull=True)
    asked = ErasureRequest.objects.filter(user=OuterRef("pk"))
    due = (
        User.objects.filter(holds_staff_role=False, is_superuser=False, erasure__isnull=True)
        .filter(applications__isnull=False)
        .annotate(last_erased=Max("applications__erasure__erased_at"))
        .filter(~Exists(unerased_file))
        .annotate(asked=Exists(asked))
        .distinct()
    )
    erased = 0
    for user in due:
        used_since = user.last_login is not None and user.last_login > user.last_erased
        if (user.asked or not used_since) and erase_account(user, cause=Cause.RETENTION):
            erased += 1
    return erased


def apply_retention(now: dt.datetime | None = None) -> Summary:
    """Erase what every institution's periods say is due at `now`."""
    moment = now or timezone.now()
    today = paris_date(moment)
    summary = Summary()
    for institution in Institution.objects.order_by("pk"):
        privacy = institution.rules.privacy
        if privacy is None:
            continue
        retention = privacy.retention
        summary.files += _files(institution, retention, today)
        summary.accounting += _accounting(institution, retention, today)
        cutoff = dt.datetime.combine(access_log_cutoff(retention, today), dt.time(), tzinfo=PARIS)
        summary.access_log += purge_older_than(institution.pk, cutoff)
    summary.accounts += _accounts()
    if summary.changed:
        RetentionRun.objects.create(
            ran_at=moment,
            files_erased=summary.files,
            accounting_erased=summary.accounting,
            accounts_erased=summary.accounts,
            access_log_deleted=summary.access_log,
        )
        logger.info("retention: %s", summary)
    return summary


def run_job(now: dt.datetime) -> str:
    return str(apply_retention(now))
