"""Balances: of any files summed from the ledger, per campaign and per file of a campaign
read from the kept totals.

`with_balances` sums a few files' entries (the ledger's (application, charge_kind) index
serves the join); the finance pages that list a campaign's files or every campaign read
the rows kept with each entry (`fee_totals`, `file_balances`), so they cost the same at a
million files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from admissions.catalog.models import Campaign, without_rulebooks
from admissions.payments.models import ChargedFiles, EntryKind, FeeTotal, FileBalance


def _sum(prefix: str, kind: EntryKind) -> Coalesce:
    return Coalesce(
        Sum(f"{prefix}amount_cents", filter=Q(**{f"{prefix}kind": kind})),
        Value(0),
        output_field=IntegerField(),
    )


def _totals(prefix: str) -> dict[str, Any]:
    return {
        "charged": _sum(prefix, EntryKind.CHARGE),
        "received": _sum(prefix, EntryKind.PAYMENT),
        "reversed": _sum(prefix, EntryKind.REVERSAL),
        "refunded": _sum(prefix, EntryKind.REFUND),
        "written_off": _sum(prefix, EntryKind.WRITE_OFF),
    }


def with_balances(applications: QuerySet[Any]) -> QuerySet[Any]:
    """Applications annotated with charged, paid, refunded, written_off and outstanding."""
    annotated: QuerySet[Any] = applications.annotate(**_totals("ledger_entries__")).annotate(
        paid=F("received") - F("reversed"),
        outstanding=F("charged") - F("received") + F("reversed") + F("refunded") - F("written_off"),
    )
    return annotated


@dataclass(frozen=True)
class CampaignBalance:
    campaign: Campaign
    files: int
    charged: int
    paid: int
    refunded: int
    written_off: int

    @property
    def outstanding(self) -> int:
        return self.charged - self.paid + self.refunded - self.written_off


def by_campaign(programme_ids: QuerySet[Any]) -> list[CampaignBalance]:
    """Totals per campaign of the given programmes' files, newest campaign first.

    Read from the kept totals (`fee_totals`, `file_balances`): a few rows per campaign's
    programme, whatever the number of files and entries (three queries).
    """
    cents: dict[int, dict[str, int]] = {}
    rows = (
        FeeTotal.objects.filter(programme_id__in=programme_ids)
        .order_by()
        .values_list("campaign_id", "kind")
        .annotate(total=Sum("cents"))
    )
    for campaign_id, kind, total in rows:
        cents.setdefault(campaign_id, {})[kind] = int(total or 0)
    files = dict(
        ChargedFiles.objects.filter(programme_id__in=programme_ids)
        .order_by()
        .values_list("campaign_id")
        .annotate(n=Sum("files"))
        .values_list("campaign_id", "n")
    )
    campaigns = (
        Campaign.objects.select_related("institution")
        .defer(*without_rulebooks("", "institution"))
        .in_bulk(list(cents))
    )
    result = [
        CampaignBalance(
            campaign=campaigns[campaign_id],
            files=int(files.get(campaign_id) or 0),
            charged=sums.get(EntryKind.CHARGE, 0),
            paid=sums.get(EntryKind.PAYMENT, 0) - sums.get(EntryKind.REVERSAL, 0),
            refunded=sums.get(EntryKind.REFUND, 0),
            written_off=sums.get(EntryKind.WRITE_OFF, 0),
        )
        for campaign_id, sums in cents.items()
        if any(sums.values())
    ]
    return sorted(result, key=lambda item: item.campaign.opens_on, reverse=True)


def campaign_files(campaign: Campaign, programme_ids: QuerySet[Any]) -> QuerySet[FileBalance]:
    """The kept balances of the campaign's files in the given programmes, with what a page
    or an export shows of each file; in the order of the files (the campaign's index)."""
    return (
        FileBalance.objects.filter(campaign=campaign, application__programme_id__in=programme_ids)
        .select_related("application__candidate__profile", "application__programme")
        .order_by("application_id")
    )
