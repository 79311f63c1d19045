"""The ledger and the records around it: checkouts, bank statements, mandates, debits,
refund requests, issues for a human, receipts and invoices.

Ledger entries are immutable; balances are sums, never stored. A charge line is what the
candidate owes for one kind of charge (and one instalment of tuition): its charges,
payments, refunds, write-offs and reversals all carry the same `charge_kind` and
`instalment`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from admissions.rules.vocabulary import ChargeKind, RefundEvent

CHARGE_KINDS = [
    (ChargeKind.APPLICATION_FEE.value, _("Application fee")),
    (ChargeKind.DEPOSIT.value, _("Deposit")),
    (ChargeKind.CVEC.value, _("CVEC (student life contribution)")),
    (ChargeKind.TUITION.value, _("Tuition")),
    (ChargeKind.TUITION_FIRST_INSTALMENT.value, _("Tuition, first instalment")),
]
CHARGE_LABELS = dict(CHARGE_KINDS)


def charge_label(charge_kind: str, instalment: int | None = None) -> Promise | str:
    """What a charge line is for, translated when shown (so an email gets its reader's words)."""
    label = CHARGE_LABELS.get(charge_kind, charge_kind)
    return format_lazy("{} ({})", label, instalment) if instalment else label


class EntryKind(models.TextChoices):
    CHARGE = "charge", _("Charge")
    PAYMENT = "payment", _("Payment")
    REFUND = "refund", _("Refund")
    WRITE_OFF = "write_off", _("Write-off")
    REVERSAL = "reversal", _("Payment reversed")  # a direct debit the bank returned


class Method(models.TextChoices):
    CARD = "card", _("Card")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    SEPA_DIRECT_DEBIT = "sepa_direct_debit", _("SEPA direct debit")
    RECORDED_BY_STAFF = "recorded_by_staff", _("Recorded by staff")


# Effect of each entry on what the candidate owes.
SIGN = {
    EntryKind.CHARGE: 1,
    EntryKind.PAYMENT: -1,
    EntryKind.REFUND: 1,
    EntryKind.WRITE_OFF: -1,
    EntryKind.REVERSAL: 1,
}


class LedgerEntry(models.Model):
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="ledger_entries"
    )
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    charge_kind = models.CharField(max_length=40, choices=CHARGE_KINDS)
    instalment = models.PositiveSmallIntegerField(null=True, blank=True)
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    method = models.CharField(max_length=24, choices=Method.choices, blank=True)
    # The provider's or bank's id of the money movement; unique so a replay records nothing.
    external_id = models.CharField(max_length=120, null=True, blank=True, unique=True)
    reference = models.CharField(max_length=40, blank=True, db_index=True)
    # ISO 11649 reference a bank transfer quotes to pay this charge (charges only).
    creditor_reference = models.CharField(max_length=25, null=True, blank=True, unique=True)
    due_on = models.DateField(null=True, blank=True)
    # The payment a refund or reversal gives back, when it is one payment in particular.
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cents__gt=0), name="ledger_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(creditor_reference__isnull=True) | models.Q(kind="charge"),
                name="ledger_creditor_reference_on_charges",
            ),
        ]
        indexes = [
            models.Index(fields=["application", "charge_kind"]),
            models.Index(fields=["kind", "created_at"]),
            models.Index(fields=["due_on"], condition=models.Q(kind="charge"), name="ledger_due"),
        ]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.charge_kind} {self.amount_cents}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Ledger entries are immutable: record a correcting entry instead")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Ledger entries are immutable: record a correcting entry instead")

    @property
    def signed_cents(self) -> int:
        return SIGN[EntryKind(self.kind)] * self.amount_cents

    @property
    def charge_label(self) -> str:
        label = str(CHARGE_LABELS.get(self.charge_kind, self.charge_kind))
        if self.instalment:
            return f"{label} ({self.instalment})"
        return label


class CheckoutStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the payment")
    PAID = "paid", _("Paid")
    EXPIRED = "expired", _("Expired")


class CardCheckout(models.Model):
    """One attempt to pay a charge line by card at a provider."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="card_checkouts"
    )
    charge_kind = models.CharField(max_length=40, choices=CHARGE_KINDS)
    instalment = models.PositiveSmallIntegerField(null=True, blank=True)
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    provider = models.CharField(max_length=30)
    session_id = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        max_length=10, choices=CheckoutStatus.choices, default=CheckoutStatus.OPEN
    )
    payment = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="checkout"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["application", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.provider} {self.session_id}"


class BankStatement(models.Model):
    """One imported ISO 20022 camt.053 statement; its report is what the import found."""

    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.PROTECT, related_name="bank_statements"
    )
    statement_id = models.CharField(max_length=100)
    message_id = models.CharField(max_length=100, blank=True)
    account_iban = models.CharField(max_length=34, blank=True)
    filename = models.CharField(max_length=255, blank=True)
    file_digest = models.CharField(max_length=64)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    report = models.JSONField(default=dict)

    class Meta:
        indexes = [models.Index(fields=["institution", "-imported_at"])]
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.statement_id


class Outcome(models.TextChoices):
    MATCHED = "matched", _("Matched")
    PARTIAL = "partial", _("Partial payment")
    EXCESS = "excess", _("More than the amount due")
    DUPLICATE = "duplicate", _("Charge already paid")
    UNKNOWN = "unknown", _("Unknown reference")
    WITHDRAWN = "withdrawn", _("Paid after withdrawal")
    REVERSED = "reversed", _("Transfer returned: payment reversed")
    IGNORED = "ignored", _("Not a received transfer")


class BankStatementEntry(models.Model):
    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="entries")
    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.PROTECT, related_name="+"
    )
    # The bank's own reference (AcctSvcrRef), shown to people; banks reuse it across
    # transfers, so it does not identify one.
    entry_ref = models.CharField(max_length=140, blank=True)
    # Digest of everything the transaction says (camt053.Transaction.identity): a second
    # import of the same transaction is skipped, a different one never is.
    identity = models.CharField(max_length=64)
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    credit = models.BooleanField()
    booked_on = models.DateField(null=True, blank=True)
    debtor = models.CharField(max_length=140, blank=True)
    remittance = models.TextField(blank=True)
    reference = models.CharField(max_length=40, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    # The ledger entry the bank entry made: a payment, or the reversal of one it returned.
    payment = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="bank_entry"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "identity"], name="bank_transaction_once_per_institution"
            )
        ]
        ordering = ["id"]

    def __str__(self) -> str:
        return self.entry_ref


class IssueKind(models.TextChoices):
    PARTIAL = "partial", _("Partial payment")
    EXCESS = "excess", _("More than the amount due")
    DUPLICATE = "duplicate", _("Charge already paid")
    UNKNOWN = "unknown", _("Unknown reference")
    WITHDRAWN = "withdrawn", _("Paid after withdrawal")


class IssueStatus(models.TextChoices):
    OPEN = "open", _("To handle")
    KEPT = "kept", _("Kept")  # the money stays on the file (a credit, or awaiting the rest)
    REFUNDED = "refunded", _("Refunded")
    ASSIGNED = "assigned", _("Assigned to a charge")
    RETURNED = "returned", _("Returned to the sender")  # never entered the ledger


# The one table of how each kind of issue may be closed.
RESOLUTIONS: dict[str, frozenset[str]] = {
    IssueKind.PARTIAL: frozenset({IssueStatus.KEPT}),
    IssueKind.EXCESS: frozenset({IssueStatus.KEPT, IssueStatus.REFUNDED}),
    IssueKind.DUPLICATE: frozenset({IssueStatus.KEPT, IssueStatus.REFUNDED}),
    IssueKind.WITHDRAWN: frozenset({IssueStatus.KEPT, IssueStatus.REFUNDED}),
    IssueKind.UNKNOWN: frozenset({IssueStatus.ASSIGNED, IssueStatus.RETURNED}),
}


class PaymentIssue(models.Model):
    """Money that arrived in a way a human must look at."""

    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.PROTECT, related_name="payment_issues"
    )
    application = models.ForeignKey(
        "applications.Application",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_issues",
    )
    kind = models.CharField(max_length=12, choices=IssueKind.choices)
    status = models.CharField(max_length=10, choices=IssueStatus.choices, default=IssueStatus.OPEN)
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3, default="EUR")
    # For excess and duplicate payments: the part that was not owed.
    excess_cents = models.BigIntegerField(default=0)
    charge_kind = models.CharField(max_length=40, choices=CHARGE_KINDS, blank=True)
    instalment = models.PositiveSmallIntegerField(null=True, blank=True)
    reference = models.CharField(max_length=140, blank=True)
    payer = models.CharField(max_length=140, blank=True)
    payment = models.ForeignKey(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="issues"
    )
    bank_entry = models.ForeignKey(
        BankStatementEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="issues"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution_note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["institution", "status", "-created_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_cents}"

    @property
    def resolutions(self) -> list[str]:
        return sorted(RESOLUTIONS[self.kind]) if self.status == IssueStatus.OPEN else []


class MandateStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    REVOKED = "revoked", _("Revoked")


class Mandate(models.Model):
    """A SEPA direct-debit mandate (CORE) the payer signed for an application's instalments."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="mandates"
    )
    reference = models.CharField(max_length=35, unique=True)  # the UMR
    holder = models.CharField(max_length=70)
    iban = models.CharField(max_length=34)
    bic = models.CharField(max_length=11, blank=True)
    signed_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=MandateStatus.choices, default=MandateStatus.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=models.Q(status="active"),
                name="one_active_mandate_per_application",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def masked_iban(self) -> str:
        return f"{self.iban[:4]} •••• {self.iban[-4:]}"


class SepaCreditor(models.Model):
    """The institution's SEPA creditor identifier (ICS), printed on every direct debit."""

    institution = models.OneToOneField(
        "catalog.Institution", on_delete=models.CASCADE, related_name="sepa_creditor"
    )
    creditor_id = models.CharField(max_length=35)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.creditor_id


class DebitBatch(models.Model):
    """One pain.008 file: the direct debits of an institution for one collection date."""

    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.PROTECT, related_name="debit_batches"
    )
    collection_date = models.DateField()
    message_id = models.CharField(max_length=35, unique=True)
    document = models.TextField()
    transactions = models.PositiveIntegerField()
    total_cents = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["institution", "-collection_date"])]
        ordering = ["-collection_date", "-id"]

    def __str__(self) -> str:
        return self.message_id


class DebitStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted to the bank")
    REJECTED = "rejected", _("Rejected by the bank")


class DebitItem(models.Model):
    batch = models.ForeignKey(DebitBatch, on_delete=models.PROTECT, related_name="items")
    mandate = models.ForeignKey(Mandate, on_delete=models.PROTECT, related_name="debits")
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="+"
    )
    charge_kind = models.CharField(max_length=40, choices=CHARGE_KINDS)
    instalment = models.PositiveSmallIntegerField(null=True, blank=True)
    amount_cents = models.BigIntegerField()
    end_to_end_id = models.CharField(max_length=35, unique=True)
    sequence_type = models.CharField(max_length=4)  # FRST or RCUR
    status = models.CharField(
        max_length=10, choices=DebitStatus.choices, default=DebitStatus.SUBMITTED
    )
    payment = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="debit")
    reversal = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.CharField(max_length=140, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.end_to_end_id


class RefundStatus(models.TextChoices):
    REQUESTED = "requested", _("Awaiting approval")
    APPROVED = "approved", _("Approved, to pay back")
    REJECTED = "rejected", _("Rejected")
    RECORDED = "recorded", _("Refunded")


# The one table of moves of a refund request.
REFUND_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "approve": (frozenset({RefundStatus.REQUESTED}), RefundStatus.APPROVED),
    "reject": (frozenset({RefundStatus.REQUESTED}), RefundStatus.REJECTED),
    "record": (frozenset({RefundStatus.APPROVED}), RefundStatus.RECORDED),
}

REFUND_EVENTS = [
    (RefundEvent.ANY.value, _("Another reason")),
    (RefundEvent.CANDIDATE_WITHDRAWS.value, _("The candidate withdraws")),
    (RefundEvent.UNFAVOURABLE_DECISION.value, _("Unfavourable decision")),
    (RefundEvent.FUNDING_AGREEMENT_VALIDATED.value, _("OPCO or employer funding agreement")),
    (RefundEvent.VISA_REFUSED.value, _("Visa refused")),
]


class RefundRequest(models.Model):
    """A refund the rulebook allows, waiting for or carrying a finance officer's decision."""

    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="refund_requests"
    )
    charge_kind = models.CharField(max_length=40, choices=CHARGE_KINDS)
    instalment = models.PositiveSmallIntegerField(null=True, blank=True)
    amount_cents = models.BigIntegerField()
    event = models.CharField(max_length=40, choices=REFUND_EVENTS)
    funding_agreement_validated = models.BooleanField(default=False)
    visa_refusal_proven = models.BooleanField(default=False)
    rule_code = models.CharField(max_length=60)
    reason = models.TextField(blank=True)
    status = models.CharField(
        max_length=10, choices=RefundStatus.choices, default=RefundStatus.REQUESTED
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    refund = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="request"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_cents__gt=0), name="refund_request_amount_positive"
            )
        ]
        indexes = [models.Index(fields=["status", "-requested_at"])]
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.charge_kind} {self.amount_cents} {self.status}"


class DocumentKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    INVOICE = "invoice", _("Invoice")


DOCUMENT_PREFIX = {DocumentKind.RECEIPT: "R", DocumentKind.INVOICE: "F"}


class FinanceDocument(models.Model):
    """A numbered receipt (for a payment) or invoice (for a charge).

    Numbers follow each other without gaps per institution and kind; the content is frozen
    when the document is issued, and rendered to PDF in the reader's language.
    """

    institution = models.ForeignKey(
        "catalog.Institution", on_delete=models.PROTECT, related_name="finance_documents"
    )
    kind = models.CharField(max_length=10, choices=DocumentKind.choices)
    number = models.PositiveIntegerField()
    application = models.ForeignKey(
        "applications.Application", on_delete=models.PROTECT, related_name="finance_documents"
    )
    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="documents")
    amount_cents = models.BigIntegerField()
    issued_at = models.DateTimeField(auto_now_add=True)
    content = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "kind", "number"], name="finance_document_number"
            ),
            models.UniqueConstraint(fields=["kind", "entry"], name="finance_document_per_entry"),
        ]
        ordering = ["kind", "number"]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        prefix = DOCUMENT_PREFIX[DocumentKind(self.kind)]
        return f"{prefix}-{self.number:06d}"


class FeeTotal(models.Model):
    """The sum of one kind of ledger entry for one charge, over a campaign's programme.

    Kept by `fee_totals.entered` in the transaction that writes the entries, so a report of
    fees collected and outstanding reads a few rows per programme; `manage.py
    rebuild_fee_totals` sums the ledger again.
    """

    campaign = models.ForeignKey("catalog.Campaign", on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey("catalog.Programme", on_delete=models.CASCADE, related_name="+")
    charge_kind = models.CharField(max_length=40, choices=CHARGE_KINDS)
    kind = models.CharField(max_length=12, choices=EntryKind.choices)
    cents = models.BigIntegerField(default=0)
    entries = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "programme", "charge_kind", "kind"], name="one_fee_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.programme_id} {self.charge_kind} {self.kind}"


class FileBalance(models.Model):
    """What one file was charged, paid, refunded and written off, and still owes, in cents.

    Kept by `file_balances.entered` with the fee totals, in the transaction that writes the
    entries, so a campaign's balances page reads its page of rows, not the whole ledger; a
    file with no ledger entry has no row. `manage.py rebuild_fee_totals` sums the ledger
    again. `outstanding` is kept too (charged − received + reversed + refunded − written off)
    so that the files that still owe are found by an index.
    """

    application = models.OneToOneField(
        "applications.Application",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="balance",
    )
    # A file stays in its campaign: copied here so a campaign's files are read by an index.
    campaign = models.ForeignKey(
        "catalog.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    charged = models.BigIntegerField(default=0)
    received = models.BigIntegerField(default=0)
    reversed = models.BigIntegerField(default=0)
    refunded = models.BigIntegerField(default=0)
    written_off = models.BigIntegerField(default=0)
    outstanding = models.BigIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["campaign", "application"], name="file_balance_campaign"),
            models.Index(
                fields=["campaign", "application"],
                condition=models.Q(outstanding__gt=0),
                name="file_balance_owing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.outstanding}"

    @property
    def paid(self) -> int:
        return self.received - self.reversed


class ChargedFiles(models.Model):
    """How many files of a campaign's programme have a ledger entry (a `FileBalance` row).

    Kept with the balances, so the balances by campaign count files without reading them.
    """

    campaign = models.ForeignKey("catalog.Campaign", on_delete=models.CASCADE, related_name="+")
    programme = models.ForeignKey("catalog.Programme", on_delete=models.CASCADE, related_name="+")
    files = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "programme"], name="one_charged_files")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.programme_id}: {self.files}"
