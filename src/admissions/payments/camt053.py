"""Reading ISO 20022 camt.053 bank statements (versions 001.02 to 001.13).

Statements come from an upload, so they are untrusted: defusedxml refuses DTDs, entity
declarations and external references before anything is read, and the size is capped.
The root must be in one of the camt.053 namespaces exactly, and only elements of that
namespace are read, so every version reads the same way and nothing else is taken for it.

An entry that books several transfers at once (several `TxDtls`, each with its amount) is
split into one transaction per transfer. Each transaction carries an `identity` drawn from
all it says (the bank's references, its place in the entry, amount, direction, end-to-end
id, remittance): a transaction seen again in a later statement has the same identity, two
different transactions never do, even when the bank gives them the same reference.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from admissions.rules import creditor_reference

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

MAX_BYTES = 20 * 1024 * 1024
# No transfer to a school comes near a billion euros; beyond this an amount is not real.
MAX_AMOUNT = Decimal("999999999.99")
_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(0[2-9]|1[0-3])")


class CamtError(ValueError):
    """The file is not a camt.053 statement we can read; `code` says why."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Transaction:
    entry_ref: str  # the bank's reference of this movement, shown to people; may be empty
    amount_cents: int
    currency: str
    credit: bool
    booked: bool
    booked_on: dt.date | None
    debtor: str
    remittance: str  # the unstructured lines, joined
    structured_references: tuple[str, ...]  # creditor references given in the structured field
    end_to_end_id: str = ""
    reversal: bool = False  # RvslInd: the entry undoes an earlier one of the other direction
    identity: str = ""  # stable digest of everything the transaction says (see the module)

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
    account_other: str = ""  # the account as <Othr><Id>, when the bank gives no IBAN


def _namespace(element: Element) -> str:
    return element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""


def _children(element: Element | None, name: str) -> list[Element]:
    if element is None:
        return []
    # Only children in the parent's namespace: a foreign element never stands in for ours.
    tag = f"{{{_namespace(element)}}}{name}" if element.tag.startswith("{") else name
    return [child for child in element if child.tag == tag]


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
    text = (element.text or "").strip()
    try:
        amount = Decimal(text)
        exact = amount.is_finite() and amount == amount.quantize(Decimal("0.01"))
    except InvalidOperation:
        raise CamtError("bad_amount", text[:40]) from None
    if not exact or amount < 0 or amount > MAX_AMOUNT:
        raise CamtError("bad_amount", text[:40])
    return int(amount * 100), element.get("Ccy", "")


def _date(element: Element | None) -> dt.date | None:
    text = _text(element, "Dt") or _text(element, "DtTm")[:10]
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        raise CamtError("bad_date", text[:40]) from None


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
    # XML is read only here, by the staff's and the API's statement imports: a web worker
    # that serves neither does not load the parser (tests/test_startup.py).
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError) as error:
        raise CamtError("not_xml", str(error)) from None
    except (ValueError, LookupError) as error:
        # The declared encoding: one expat cannot read (UTF-7, UTF-16), or no encoding at all.
        raise CamtError("not_xml", str(error)) from None
    namespace = _namespace(root)
    if root.tag != f"{{{namespace}}}Document" or not _NAMESPACE.fullmatch(namespace):
        raise CamtError("not_camt053", (namespace or root.tag)[:100])
    message = _child(root, "BkToCstmrStmt")
    statements = _children(message, "Stmt")
    if message is None or not statements:
        raise CamtError("no_statement")
    if len(statements) > 1:
        raise CamtError("several_statements", str(len(statements)))
    statement = statements[0]
    account = _child(statement, "Acct", "Id")
    return Statement(
        message_id=_text(message, "GrpHdr", "MsgId"),
        statement_id=_text(statement, "Id"),
        iban=_compact(_text(account, "IBAN")),
        account_other=_compact(_text(account, "Othr", "Id")),
        transactions=list(_with_identities(_transactions(statement))),
    )


def _compact(text: str) -> str:
    return re.sub(r"[\s-]+", "", text).upper()


@dataclass(frozen=True)
class _Found:
    transaction: Transaction
    facts: tuple[str, ...]  # everything the transaction says, in a fixed order


def _transactions(statement: Element) -> Iterator[_Found]:
    for position, entry in enumerate(_children(statement, "Ntry")):
        amount = _cents(_child(entry, "Amt"))
        if amount is None:
            raise CamtError("entry_without_amount", str(position + 1))
        credit = _text(entry, "CdtDbtInd") == "CRDT"
        status = _status(entry)
        booked = status == "BOOK"
        booked_on = _date(_child(entry, "BookgDt"))
        reversal = _text(entry, "RvslInd").lower() in ("true", "1")
        entry_refs = (_text(entry, "AcctSvcrRef"), _text(entry, "NtryRef"))
        details = [
            tx for batch in _children(entry, "NtryDtls") for tx in _children(batch, "TxDtls")
        ]
        amounts = [_transaction_amount(tx, amount[1]) for tx in details]
        split = len(details) > 1 and all(found is not None for found in amounts)
        if split:
            parts: list[tuple[Element | None, tuple[int, str]]] = [
                (tx, found) for tx, found in zip(details, amounts, strict=True) if found
            ]
        else:
            # One transfer, or a batch the bank did not break down by amount: one movement
            # of the entry's amount, carrying what every detail says.
            parts = [(details[0] if len(details) == 1 else None, amount)]
        for index, (tx, (cents, currency)) in enumerate(parts):
            described = [tx] if tx is not None else details
            tx_ref = _text(tx, "Refs", "AcctSvcrRef")
            remittance = " ".join(
                (line.text or "").strip()
                for item in described
                for line in _children(_child(item, "RmtInf"), "Ustrd")
            )
            structured = tuple(
                _text(strd, "CdtrRefInf", "Ref")
                for item in described
                for strd in _children(_child(item, "RmtInf"), "Strd")
                if _text(strd, "CdtrRefInf", "Ref")
            )
            end_to_end = " ".join(_text(item, "Refs", "EndToEndId") for item in described)
            debtor = next((name for item in described if (name := _party_name(item, "Dbtr"))), "")
            found = Transaction(
                entry_ref=(tx_ref or entry_refs[0] or entry_refs[1])[:140],
                amount_cents=cents,
                currency=currency,
                credit=credit,
                booked=booked,
                booked_on=booked_on,
                debtor=debtor[:140],
                remittance=remittance,
                structured_references=structured,
                end_to_end_id=end_to_end.strip(),
                reversal=reversal,
            )
            facts = (
                *entry_refs,
                str(index),
                tx_ref,
                found.end_to_end_id,
                str(cents),
                currency,
                "CRDT" if credit else "DBIT",
                "reversal" if reversal else "",
                status,  # a pending entry booked later is a new movement for us
                booked_on.isoformat() if booked_on else "",
                *structured,
                remittance,
                found.debtor,
            )
            yield _Found(found, facts)


def _with_identities(found: Iterator[_Found]) -> Iterator[Transaction]:
    """Each transaction with its identity; identical ones in one file are told apart by rank."""
    seen: Counter[tuple[str, ...]] = Counter()
    for item in found:
        seen[item.facts] += 1
        text = "\x1f".join((*item.facts, str(seen[item.facts])))
        identity = hashlib.sha256(text.encode("utf-8")).hexdigest()
        yield replace(item.transaction, identity=identity)


def _transaction_amount(tx: Element, entry_currency: str) -> tuple[int, str] | None:
    # 001.02 puts a transfer's own amount in AmtDtls; later versions in Amt as well. The
    # instructed amount counts only in the account's currency.
    found = _cents(_child(tx, "Amt")) or _cents(_child(tx, "AmtDtls", "TxAmt", "Amt"))
    if found is None:
        instructed = _cents(_child(tx, "AmtDtls", "InstdAmt", "Amt"))
        if instructed is not None and instructed[1] == entry_currency:
            found = instructed
    return found
