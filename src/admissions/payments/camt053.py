"""Reading ISO 20022 camt.053 bank statements (versions 001.02 to 001.13).

Statements come from an upload, so they are untrusted: defusedxml refuses DTDs, entity
declarations and external references before anything is read, and the size is capped.
Elements are found by local name, so every version's namespace reads the same way.

An entry that books several transfers at once (several `TxDtls`, each with its amount) is
split into one transaction per transfer, each with its own reference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from admissions.rules import creditor_reference

MAX_BYTES = 20 * 1024 * 1024


class CamtError(ValueError):
    """The file is not a camt.053 statement we can read; `code` says why."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Transaction:
    entry_ref: str  # the bank's reference of this movement, stable across exports
    amount_cents: int
    currency: str
    credit: bool
    booked: bool
    booked_on: dt.date | None
    debtor: str
    remittance: str  # the unstructured lines, joined
    structured_references: tuple[str, ...]  # creditor references given in the structured field
    end_to_end_id: str = ""

    @property
    def references(self) -> list[str]:
        """Valid RF references, structured ones first, then those read in the free text."""
        found = [
            creditor_reference.compact(ref)
            for ref in self.structured_references
            if creditor_reference.is_valid(ref)
        ]
        for ref in creditor_reference.find_in(f"{self.remittance} {self.end_to_end_id}"):
            if ref not in found:
                found.append(ref)
        return found


@dataclass(frozen=True)
class Statement:
    message_id: str
    statement_id: str
    iban: str
    transactions: list[Transaction] = field(default_factory=list)


def _local(element: Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    return [child for child in element if _local(child) == name]


def _child(element: Element | None, *path: str) -> Element | None:
    for name in path:
        found = _children(element, name)
        element = found[0] if found else None
    return element


def _text(element: Element | None, *path: str) -> str:
    found = _child(element, *path)
    return (found.text or "").strip() if found is not None else ""


def _cents(element: Element | None) -> tuple[int, str] | None:
    if element is None or not (element.text or "").strip():
        return None
    try:
        amount = Decimal((element.text or "").strip())
    except InvalidOperation:
        raise CamtError("bad_amount", element.text or "") from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise CamtError("bad_amount", element.text or "")
    return int(amount * 100), element.get("Ccy", "")


def _date(element: Element | None) -> dt.date | None:
    text = _text(element, "Dt") or _text(element, "DtTm")[:10]
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise CamtError("bad_date", text) from None


def _status(entry: Element) -> str:
    status = _child(entry, "Sts")
    if status is None:
        return ""
    # 001.02 to 001.07 write <Sts>BOOK</Sts>; later versions <Sts><Cd>BOOK</Cd></Sts>.
    return _text(status, "Cd") or (status.text or "").strip()


def _party_name(details: Element | None, role: str) -> str:
    party = _child(details, "RltdPties", role)
    return _text(party, "Pty", "Nm") or _text(party, "Nm")


def parse(data: bytes) -> Statement:
    if len(data) > MAX_BYTES:
        raise CamtError("too_large")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError) as error:
        raise CamtError("not_xml", str(error)) from None
    namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else ""
    if _local(root) != "Document" or "camt.053" not in namespace:
        raise CamtError("not_camt053", namespace or _local(root))
    message = _child(root, "BkToCstmrStmt")
    statements = _children(message, "Stmt")
    if message is None or not statements:
        raise CamtError("no_statement")
    if len(statements) > 1:
        raise CamtError("several_statements", str(len(statements)))
    statement = statements[0]
    statement_id = _text(statement, "Id")
    return Statement(
        message_id=_text(message, "GrpHdr", "MsgId"),
        statement_id=statement_id,
        iban=_text(statement, "Acct", "Id", "IBAN").replace(" ", "").upper(),
        transactions=list(_transactions(statement, statement_id)),
    )


def _transactions(statement: Element, statement_id: str) -> Iterator[Transaction]:
    for position, entry in enumerate(_children(statement, "Ntry")):
        amount = _cents(_child(entry, "Amt"))
        if amount is None:
            raise CamtError("entry_without_amount", str(position + 1))
        credit = _text(entry, "CdtDbtInd") == "CRDT"
        booked = _status(entry) == "BOOK"
        booked_on = _date(_child(entry, "BookgDt"))
        entry_ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef")
        details = [
            tx for batch in _children(entry, "NtryDtls") for tx in _children(batch, "TxDtls")
        ]
        split = len(details) > 1 and all(_transaction_amount(tx) is not None for tx in details)
        parts = details if split else [details[0] if details else None]
        for index, tx in enumerate(parts):
            cents, currency = (
                _transaction_amount(tx) if split and tx is not None else None
            ) or amount
            tx_ref = _text(tx, "Refs", "AcctSvcrRef")
            if split:
                ref = tx_ref or (f"{entry_ref}/{index + 1}" if entry_ref else "")
            else:
                ref = entry_ref or tx_ref
            remittance = " ".join(
                (line.text or "").strip() for line in _children(_child(tx, "RmtInf"), "Ustrd")
            )
            structured = tuple(
                _text(item, "CdtrRefInf", "Ref")
                for item in _children(_child(tx, "RmtInf"), "Strd")
                if _text(item, "CdtrRefInf", "Ref")
            )
            if not ref:
                # No bank reference at all: the entry's own content, so a re-import matches.
                seed = f"{statement_id}|{position}|{index}|{cents}|{booked_on}|{remittance}"
                ref = "sha256:" + hashlib.sha256(seed.encode()).hexdigest()[:40]
            yield Transaction(
                entry_ref=ref[:140],
                amount_cents=cents,
                currency=currency,
                credit=credit,
                booked=booked,
                booked_on=booked_on,
                debtor=_party_name(tx, "Dbtr")[:140],
                remittance=remittance,
                structured_references=structured,
                end_to_end_id=_text(tx, "Refs", "EndToEndId"),
            )


def _transaction_amount(tx: Element) -> tuple[int, str] | None:
    # 001.02 puts a transfer's own amount in AmtDtls; later versions in Amt as well.
    return _cents(_child(tx, "Amt")) or _cents(_child(tx, "AmtDtls", "TxAmt", "Amt"))
