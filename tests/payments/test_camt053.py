import datetime as dt

import pytest

from admissions.payments import camt053
from tests.payments.camt import FOLDER, NORD_IBAN, statement


def test_a_statement_is_read() -> None:
    parsed = camt053.parse(statement("matched.xml", "RF18539007547034"))
    assert parsed.message_id == "MSG-MATCHED"
    assert parsed.statement_id == "STMT-MATCHED"
    assert parsed.iban == NORD_IBAN
    [tx] = parsed.transactions
    assert tx.entry_ref == "BANK-0001"
    assert tx.amount_cents == 6_000
    assert tx.currency == "EUR"
    assert tx.credit
    assert tx.booked
    assert tx.booked_on == dt.date(2024, 6, 3)
    assert tx.debtor == "MARTIN CAMILLE"
    assert tx.references == ["RF18539007547034"]


def test_a_reference_in_the_free_text_is_found() -> None:
    [tx] = camt053.parse(statement("matched-free-text.xml", "RF712348231")).transactions
    assert tx.structured_references == ()
    assert tx.references[0] == "RF712348231"


def test_debits_and_pending_entries_are_marked() -> None:
    debit, pending = camt053.parse(statement("not-received.xml")).transactions
    assert not debit.credit
    assert debit.booked
    assert pending.credit
    assert not pending.booked


def test_a_batch_entry_is_split_into_its_transfers() -> None:
    first, second = camt053.parse(
        statement("batch.xml", "RF18539007547034", other_reference="RF712348231")
    ).transactions
    assert (first.entry_ref, first.amount_cents, first.references) == (
        "BANK-BATCH-1-A",
        6_000,
        ["RF18539007547034"],
    )
    assert (second.entry_ref, second.amount_cents, second.debtor) == (
        "BANK-BATCH-1-B",
        10_000,
        "DURAND SAM",
    )


def test_version_08_reads_the_same() -> None:
    [tx] = camt053.parse(statement("v08.xml", "RF712348231")).transactions
    assert tx.entry_ref == "BANK-V08-1"
    assert tx.booked
    assert tx.booked_on == dt.date(2024, 6, 3)
    assert tx.debtor == "MARTIN CAMILLE"
    assert tx.references == ["RF712348231"]


@pytest.mark.parametrize("name", ["entity-expansion.xml", "external-entity.xml"])
def test_declarations_are_refused_before_anything_is_read(name: str) -> None:
    with pytest.raises(camt053.CamtError) as error:
        camt053.parse((FOLDER / name).read_bytes())
    assert error.value.code == "not_xml"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ((FOLDER / "not-a-statement.xml").read_bytes(), "not_camt053"),
        (b"not xml at all", "not_xml"),
        (b"", "not_xml"),
        (b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:camt.053.001.02'/>", "no_statement"),
        (b" " * (camt053.MAX_BYTES + 1), "too_large"),
    ],
)
def test_files_that_are_not_statements(data: bytes, code: str) -> None:
    with pytest.raises(camt053.CamtError) as error:
        camt053.parse(data)
    assert error.value.code == code


@pytest.mark.parametrize("amount", ["60.001", "-5.00", "abc", "NaN"])
def test_unreadable_amounts(amount: str) -> None:
    data = statement("matched.xml").replace(b">60.00<", f">{amount}<".encode())
    with pytest.raises(camt053.CamtError) as error:
        camt053.parse(data)
    assert error.value.code == "bad_amount"


def test_an_entry_without_bank_reference_gets_a_stable_one() -> None:
    data = statement("matched.xml").replace(b"<AcctSvcrRef>BANK-0001</AcctSvcrRef>", b"")
    first = camt053.parse(data).transactions[0].entry_ref
    assert first.startswith("sha256:")
    assert camt053.parse(data).transactions[0].entry_ref == first
