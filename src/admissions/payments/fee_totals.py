"""Money charged, paid, refunded, written off and reversed per campaign, programme and
charge, kept with each ledger entry.

`entered` is called by every writer of `ledger` in the transaction of its entries, after
the file's row is locked (and the programme's row before it, see `history.lock_application`),
so the totals follow the same lock order as the moves. `recount` sums the ledger itself;
`rebuild` writes that back (`manage.py rebuild_fee_totals`). Each file's balance is kept
here too (`file_balances.entered`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.db import transaction
from django.db.models import Count, Sum

from admissions.applications.models import Application
from admissions.core.kept_counts import add_up
from admissions.payments import file_balances
from admissions.payments.models import FeeTotal, LedgerEntry

KEYS = ("campaign", "programme", "charge_kind", "kind")
# (campaign, programme, charge kind, entry kind) -> (cents, entries)
Key = tuple[int, int, str, str]


def entered(
    entries: Iterable[LedgerEntry],
    where: dict[int, tuple[int, int]],
    *,
    new_files: Collection[int] = (),
) -> None:
    """Ledger entries were written; `where` gives each file's (campaign, programme), and
    `new_files` those created in this transaction (see `file_balances.entered`)."""
    entries = list(entries)
    totals: dict[Key, tuple[int, int]] = {}
    for entry in entries:
        campaign_id, programme_id = where[entry.application_id]
        key = (campaign_id, programme_id, str(entry.charge_kind), str(entry.kind))
        cents, count = totals.get(key, (0, 0))
        totals[key] = (cents + entry.amount_cents, count + 1)
    add_up(FeeTotal, KEYS, totals, values=("cents", "entries"))
    file_balances.entered(entries, where, new_files=new_files)


def entered_on(application: Application, entry: LedgerEntry, *, new_file: bool = False) -> None:
    entered(
        [entry],
        {application.pk: (application.campaign_id, application.programme_id)},
        new_files=(application.pk,) if new_file else (),
    )


def places_of(application_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    rows = Application.objects.filter(pk__in=list(application_ids)).values_list(
        "pk", "campaign_id", "programme_id"
    )
    return {pk: (campaign, programme) for pk, campaign, programme in rows}


def kept() -> dict[Key, tuple[int, int]]:
    rows = FeeTotal.objects.exclude(entries=0).values_list(*KEYS, "cents", "entries")
    return {(c, p, ck, k): (cents, n) for c, p, ck, k, cents, n in rows}


def recount() -> dict[Key, tuple[int, int]]:
    """The ledger summed per campaign, programme, charge and kind of entry."""
    rows = (
        LedgerEntry.objects.order_by()
        .values_list("application__campaign_id", "application__programme_id", "charge_kind", "kind")
        .annotate(cents=Sum("amount_cents"), n=Count("pk"))
    )
    return {
        (campaign, programme, charge_kind, kind): (int(cents), int(n))
        for campaign, programme, charge_kind, kind, cents, n in rows
    }


def rebuild() -> int:
    """Sum the ledger again into the kept totals; returns the rows written.

    On a live site, run it when no money moves (an entry written meanwhile may be counted
    twice or not).
    """
    found = recount()
    with transaction.atomic():
        FeeTotal.objects.all().delete()
        made = FeeTotal.objects.bulk_create(
            [
                FeeTotal(
                    campaign_id=c,
                    programme_id=p,
                    charge_kind=charge_kind,
                    kind=kind,
                    cents=cents,
                    entries=n,
                )
                for (c, p, charge_kind, kind), (cents, n) in found.items()
            ]
        )
    return len(made)
