"""Each file's balance (charged, received, reversed, refunded, written off, still owed), and
how many files of a campaign's programme have money entries, kept with each ledger entry.

`entered` is called by `fee_totals.entered`, so by every writer of the ledger, in the
transaction of its entries and after the files' rows are locked: no other writer adds to
the same file's row meanwhile, so whether a file already had a row is known for sure.
`recount` sums the ledger itself; `rebuild` writes that back (`manage.py
rebuild_fee_totals`), in two set-based statements whatever the size of the ledger.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When

from admissions.core.kept_counts import add_up
from admissions.payments.models import ChargedFiles, EntryKind, FileBalance, LedgerEntry

FIELDS = ("charged", "received", "reversed", "refunded", "written_off", "outstanding")
# What one cent of each kind of entry adds to each field (outstanding = charged − received
# + reversed + refunded − written off, as the ledger's balances define it).
WEIGHTS: dict[str, tuple[int, ...]] = {
    EntryKind.CHARGE: (1, 0, 0, 0, 0, 1),
    EntryKind.PAYMENT: (0, 1, 0, 0, 0, -1),
    EntryKind.REVERSAL: (0, 0, 1, 0, 0, 1),
    EntryKind.REFUND: (0, 0, 0, 1, 0, 1),
    EntryKind.WRITE_OFF: (0, 0, 0, 0, 1, -1),
}
Balance = tuple[int, int, int, int, int, int]


def entered(
    entries: Iterable[LedgerEntry],
    where: dict[int, tuple[int, int]],
    *,
    new_files: Collection[int] = (),
) -> None:
    """Ledger entries were written; `where` gives each file's (campaign, programme).

    `new_files` were created in this transaction, so have no row yet: a file's creation
    reads nothing back (tests/workflow/test_draft_statements.py).
    """
    sums: dict[tuple[int, int], list[int]] = {}
    for entry in entries:
        key = (entry.application_id, where[entry.application_id][0])
        row = sums.setdefault(key, [0] * len(FIELDS))
        for index, weight in enumerate(WEIGHTS[entry.kind]):
            row[index] += weight * entry.amount_cents
    if not sums:
        return
    files = [application_id for application_id, _campaign in sums]
    unsure = [application_id for application_id in files if application_id not in new_files]
    known = (
        set(FileBalance.objects.filter(pk__in=unsure).values_list("pk", flat=True))
        if unsure
        else set()
    )
    add_up(FileBalance, ("application",), sums, values=FIELDS, also=("campaign",))
    new = Counter(where[application_id] for application_id in files if application_id not in known)
    add_up(ChargedFiles, ("campaign", "programme"), {key: (n,) for key, n in new.items()})


def _sum(kind: EntryKind) -> Sum:
    return Sum("amount_cents", filter=Q(kind=kind))


def kept() -> dict[int, Balance]:
    rows = FileBalance.objects.values_list("pk", *FIELDS)
    return {pk: tuple(int(v) for v in values) for pk, *values in rows}  # type: ignore[misc]


def recount() -> dict[int, Balance]:
    """Each file's balance summed from the ledger."""
    outstanding = sum(
        (
            Case(When(kind=kind, then=F("amount_cents") * weights[-1]), default=Value(0))
            for kind, weights in WEIGHTS.items()
        ),
        start=Value(0),
    )
    rows = (
        LedgerEntry.objects.order_by()
        .values_list("application_id")
        .annotate(
            charged=_sum(EntryKind.CHARGE),
            received=_sum(EntryKind.PAYMENT),
            reversed=_sum(EntryKind.REVERSAL),
            refunded=_sum(EntryKind.REFUND),
            written_off=_sum(EntryKind.WRITE_OFF),
            outstanding=Sum(outstanding, output_field=IntegerField()),
        )
    )
    return {pk: tuple(int(v or 0) for v in values) for pk, *values in rows}  # type: ignore[misc]


def kept_files() -> dict[tuple[int, int], int]:
    rows = ChargedFiles.objects.exclude(files=0).values_list("campaign_id", "programme_id", "files")
    return {(campaign, programme): n for campaign, programme, n in rows}


def recount_files() -> dict[tuple[int, int], int]:
    rows = (
        LedgerEntry.objects.order_by()
        .values_list("application__campaign_id", "application__programme_id")
        .annotate(n=Count("application_id", distinct=True))
    )
    return {(campaign, programme): n for campaign, programme, n in rows}


# One statement each, set-based: fine on a ledger of millions of entries.
FILL_BALANCES = """
INSERT INTO payments_filebalance
    (application_id, campaign_id, charged, received, reversed, refunded, written_off,
     outstanding)
SELECT e.application_id, a.campaign_id,
    SUM(CASE WHEN e.kind = 'charge' THEN e.amount_cents ELSE 0 END),
    SUM(CASE WHEN e.kind = 'payment' THEN e.amount_cents ELSE 0 END),
    SUM(CASE WHEN e.kind = 'reversal' THEN e.amount_cents ELSE 0 END),
    SUM(CASE WHEN e.kind = 'refund' THEN e.amount_cents ELSE 0 END),
    SUM(CASE WHEN e.kind = 'write_off' THEN e.amount_cents ELSE 0 END),
    SUM(CASE WHEN e.kind IN ('charge', 'reversal', 'refund') THEN e.amount_cents
             ELSE -e.amount_cents END)
FROM payments_ledgerentry e
JOIN applications_application a ON a.id = e.application_id
GROUP BY e.application_id, a.campaign_id
"""
FILL_CHARGED_FILES = """
INSERT INTO payments_chargedfiles (campaign_id, programme_id, files)
SELECT b.campaign_id, a.programme_id, COUNT(*)
FROM payments_filebalance b
JOIN applications_application a ON a.id = b.application_id
GROUP BY b.campaign_id, a.programme_id
"""


def rebuild() -> int:
    """Sum the ledger again into the kept balances; returns the files written.

    On a live site, run it when no money moves (see `fee_totals.rebuild`).
    """
    with transaction.atomic(), connection.cursor() as cursor:
        ChargedFiles.objects.all().delete()
        FileBalance.objects.all().delete()
        cursor.execute(FILL_BALANCES)
        cursor.execute(FILL_CHARGED_FILES)
        return FileBalance.objects.count()
