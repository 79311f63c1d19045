"""Balances summed in the database: per campaign, and per file of a campaign.

Each is one query whatever the number of files, so finance pages stay fast as campaigns
grow; the ledger's (application, charge_kind) index serves the joins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from admissions.catalog.models import Campaign, without_rulebooks
from admissions.payments.models import EntryKind, LedgerEntry


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


def by_campaign(entries: QuerySet[LedgerEntry]) -> list[CampaignBalance]:
    """Totals of the given entries per campaign, newest campaign first (two queries)."""
    grouped: QuerySet[Any] = entries.order_by().values("application__campaign_id")
    rows: list[dict[str, Any]] = list(
        grouped.annotate(files=Count("application_id", distinct=True), **_totals(""))
    )
    campaigns = (
        Campaign.objects.select_related("institution")
        .defer(*without_rulebooks("", "institution"))
        .in_bulk([row["application__campaign_id"] for row in rows])
    )
    result = [
        CampaignBalance(
            campaign=campaigns[row["application__campaign_id"]],
            files=row["files"],
            charged=row["charged"],
            paid=row["received"] - row["reversed"],
            refunded=row["refunded"],
            written_off=row["written_off"],
        )
        for row in rows
    ]
    return sorted(result, key=lambda item: item.campaign.opens_on, reverse=True)
