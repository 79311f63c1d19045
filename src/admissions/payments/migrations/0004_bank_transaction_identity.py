"""A bank transaction is known by everything it says, not by the bank's reference alone.

Entries imported before keep a digest of their old key, so they stay unique; a statement
imported before this change and imported again is read with the new identities.
"""

import hashlib

from django.db import migrations, models


def _legacy_identities(apps, schema_editor):
    entries = apps.get_model("payments", "BankStatementEntry")
    for entry in entries.objects.filter(identity="").only("pk", "entry_ref").iterator():
        digest = hashlib.sha256(f"legacy\x1f{entry.entry_ref}".encode()).hexdigest()
        entries.objects.filter(pk=entry.pk).update(identity=digest)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0003_money"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="bankstatemententry",
            name="bank_entry_once_per_institution",
        ),
        migrations.AddField(
            model_name="bankstatemententry",
            name="identity",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(_legacy_identities, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="bankstatemententry",
            name="entry_ref",
            field=models.CharField(blank=True, max_length=140),
        ),
        migrations.AlterField(
            model_name="bankstatemententry",
            name="outcome",
            field=models.CharField(
                choices=[
                    ("matched", "Matched"),
                    ("partial", "Partial payment"),
                    ("excess", "More than the amount due"),
                    ("duplicate", "Charge already paid"),
                    ("unknown", "Unknown reference"),
                    ("withdrawn", "Paid after withdrawal"),
                    ("reversed", "Transfer returned: payment reversed"),
                    ("ignored", "Not a received transfer"),
                ],
                max_length=12,
            ),
        ),
        migrations.AddConstraint(
            model_name="bankstatemententry",
            constraint=models.UniqueConstraint(
                fields=("institution", "identity"), name="bank_transaction_once_per_institution"
            ),
        ),
    ]
