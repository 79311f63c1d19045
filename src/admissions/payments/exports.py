"""Finance exports: small classes that list rows, rendered to CSV or XLSX.

Text cells that a spreadsheet would read as a formula (starting with =, +, -, @) are
prefixed with an apostrophe, so a name typed by a candidate never runs as one.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from admissions.payments.models import CHARGE_LABELS, EntryKind, FileBalance, LedgerEntry, Method
from admissions.rules.money import from_cents

Cell = str | int | Decimal | None
# Rows read from the database at a time by the exports of many rows.
CHUNK = 2000

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


class _Echo:
    """A file-like object whose write returns the line, for csv.writer to stream."""

    def write(self, value: str) -> str:
        return value


class Exporter:
    identifier = ""
    title: Any = ""

    def headers(self) -> list[str]:
        raise NotImplementedError

    def rows(self) -> Iterable[list[Cell]]:
        raise NotImplementedError

    def _safe_rows(self) -> Iterator[list[Cell]]:
        for row in self.rows():
            yield [_safe(value) for value in row]

    def csv(self) -> bytes:
        stream = io.StringIO()
        writer = csv.writer(stream)
        writer.writerow(self.headers())
        for row in self._safe_rows():
            writer.writerow(["" if value is None else value for value in row])
        # The byte-order mark makes spreadsheet programs read the accents right.
        return stream.getvalue().encode("utf-8-sig")

    def csv_lines(self) -> Iterator[str]:
        """The CSV a line at a time, to stream: no more than a line is held."""
        writer = csv.writer(_Echo())
        # The byte-order mark makes spreadsheet programs read the accents right.
        yield "\ufeff" + writer.writerow(self.headers())
        for row in self._safe_rows():
            yield writer.writerow(["" if value is None else value for value in row])

    def xlsx_file(self) -> IO[bytes]:
        """The workbook written row by row to a temporary file (openpyxl's write-only mode
        keeps no row in memory), rewound; the caller closes it."""
        from openpyxl import Workbook  # a large library, loaded only by those who export

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=str(self.title)[:31] or "export")
        sheet.append(self.headers())
        for row in self._safe_rows():
            sheet.append(row)
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
        workbook.save(spool)
        spool.seek(0)
        return spool

    def xlsx(self) -> bytes:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=str(self.title)[:31] or "export")
        sheet.append(self.headers())
        for row in self._safe_rows():
            sheet.append(row)
        stream = io.BytesIO()
        workbook.save(stream)
        return stream.getvalue()

    def filename(self, extension: str) -> str:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        return f"{self.identifier}-{stamp}.{extension}"


class LedgerExport(Exporter):
    """Every ledger entry in the selection, one row each, amounts in EUR."""

    identifier = "ledger"
    title = _("Ledger")

    def __init__(self, entries: QuerySet[LedgerEntry]) -> None:
        self.entries = entries.select_related(
            "application__campaign",
            "application__programme",
            "application__candidate",
            "application__candidate__profile",
        ).order_by("created_at", "id")

    def headers(self) -> list[str]:
        return [
            str(_("Date")),
            str(_("Application")),
            str(_("Candidate")),
            str(_("Programme")),
            str(_("Campaign")),
            str(_("Entry")),
            str(_("Charge")),
            str(_("Instalment")),
            str(_("Amount (EUR)")),
            str(_("Signed amount (EUR)")),
            str(_("Method")),
            str(_("Creditor reference")),
            str(_("Provider or bank id")),
            str(_("Note")),
        ]

    def rows(self) -> Iterator[list[Cell]]:
        kinds = dict(EntryKind.choices)
        methods = dict(Method.choices)
        for entry in self.entries.iterator(chunk_size=2000):
            application = entry.application
            candidate = application.candidate
            yield [
                timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
                application.reference,
                candidate.display_name,
                application.programme.name,
                application.campaign.name,
                str(kinds.get(entry.kind, entry.kind)),
                str(CHARGE_LABELS.get(entry.charge_kind, entry.charge_kind)),
                entry.instalment,
                from_cents(entry.amount_cents),
                from_cents(entry.signed_cents),
                str(methods.get(entry.method, entry.method)) if entry.method else "",
                entry.creditor_reference or "",
                entry.external_id or "",
                entry.note,
            ]


class BalancesExport(Exporter):
    """One row per file: what was charged, paid, refunded, written off, and is still owed,
    from the kept balances, read in chunks (an export of a whole campaign streams)."""

    identifier = "balances"
    title = _("Balances")

    def __init__(self, balances: QuerySet[FileBalance]) -> None:
        self.balances = balances

    def headers(self) -> list[str]:
        return [
            str(_("Application")),
            str(_("Candidate")),
            str(_("Programme")),
            str(_("Status")),
            str(_("Charged (EUR)")),
            str(_("Paid (EUR)")),
            str(_("Refunded (EUR)")),
            str(_("Written off (EUR)")),
            str(_("Still owed (EUR)")),
        ]

    def rows(self) -> Iterator[list[Cell]]:
        for balance in self.balances.iterator(chunk_size=CHUNK):
            application = balance.application
            yield [
                application.reference,
                application.candidate.display_name,
                application.programme.name,
                application.get_status_display(),
                from_cents(balance.charged),
                from_cents(balance.paid),
                from_cents(balance.refunded),
                from_cents(balance.written_off),
                from_cents(balance.outstanding),
            ]
