"""Charges refunded under a rulebook rule before this change are settled, not owed again.

Such a refund used to leave the charge owed once more; each now gets the write-off that
`ledger.refund_charge` records with a refund, and the file's history says so.
"""

from django.db import migrations
from django.db.models import Sum

SIGN = {"charge": 1, "payment": -1, "refund": 1, "write_off": -1, "reversal": 1}


def _settle_refunded_charges(apps, schema_editor):
    requests = apps.get_model("payments", "RefundRequest")
    entries = apps.get_model("payments", "LedgerEntry")
    events = apps.get_model("applications", "ApplicationEvent")
    recorded = requests.objects.filter(status="recorded", refund__isnull=False).select_related(
        "refund"
    )
    for request in recorded.order_by("pk").iterator():
        line = entries.objects.filter(
            application_id=request.application_id,
            charge_kind=request.charge_kind,
            instalment=request.instalment,
        )
        owed = sum(
            SIGN[row["kind"]] * row["total"]
            for row in line.values("kind").annotate(total=Sum("amount_cents")).order_by()
        )
        amount = min(request.refund.amount_cents, owed)
        if amount <= 0:
            continue
        entry = entries.objects.create(
            application_id=request.application_id,
            kind="write_off",
            charge_kind=request.charge_kind,
            instalment=request.instalment,
            amount_cents=amount,
            note=request.refund.note,
            created_by_id=request.decided_by_id,
        )
        details = {"entry_id": entry.pk, "charge_kind": entry.charge_kind, "amount_cents": amount}
        if entry.instalment:
            details["instalment"] = entry.instalment
        events.objects.create(
            application_id=request.application_id,
            actor_id=None,
            action="payment.written_off",
            details=details | {"refund_request": request.pk},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0003_staff_list_order"),
        ("payments", "0004_bank_transaction_identity"),
    ]

    operations = [
        migrations.RunPython(_settle_refunded_charges, migrations.RunPython.noop),
    ]
