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
        # Found by fuzzing: a declared encoding expat cannot read raised ValueError or LookupError.
        (b'<?xml version="1.0" encoding="UTF-7"?>\n<Document/>', "not_xml"),
        (b'<?xml version="1.0" encoding="UTF-16"?><Document/>', "not_xml"),
        (b'<?xml version="1.0" encoding="no-such-encoding"?><Document/>', "not_xml"),
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


def test_an_entry_without_bank_reference_has_a_stable_identity() -> None:
    data = statement("matched.xml").replace(b"<AcctSvcrRef>BANK-0001</AcctSvcrRef>", b"")
    [first] = camt053.parse(data).transactions
    assert first.entry_ref == ""
    assert len(first.identity) == 64
    assert camt053.parse(data).transactions[0].identity == first.identity


def test_a_bank_batch_whose_transfers_share_one_reference_gives_two_transactions() -> None:
    """A Swiss bank's grouped credit: both `TxDtls` carry the same `AcctSvcrRef`."""
    first, second = camt053.parse((FOLDER / "oca-camt053-txdtls.xml").read_bytes()).transactions
    assert first.entry_ref == second.entry_ref == "123456CHCAFEBABE"
    assert (first.amount_cents, second.amount_cents) == (218_700, 129_600)
    assert first.currency == "CHF"
    assert first.structured_references == ("302388292000011111111111111",)
    assert second.structured_references == ("302388292000022222222222222",)
    assert first.identity != second.identity


def test_a_dutch_day_reads_debits_batched_reversals_and_credits() -> None:
    parsed = camt053.parse((FOLDER / "oca-camt053.xml").read_bytes())
    assert parsed.iban == "NL77ABNA0574908765"
    debit, returned_a, returned_b, credit = parsed.transactions
    assert (debit.credit, debit.reversal, debit.amount_cents) == (False, False, 75_425)
    # One reversed entry of 664.05 EUR batching two returned debits.
    assert (returned_a.credit, returned_a.reversal, returned_a.amount_cents) == (
        False,
        True,
        56_405,
    )
    assert (returned_b.reversal, returned_b.amount_cents) == (True, 10_000)
    assert returned_a.end_to_end_id == "TESTBANK/NL/20141229/01206408"
    assert (credit.credit, credit.amount_cents, credit.debtor) == (
        True,
        140_531,
        "3rd party Media",
    )
    # No bank reference anywhere: the identities still tell the four apart, and stay put.
    identities = [tx.identity for tx in parsed.transactions]
    assert len(set(identities)) == 4
    again = camt053.parse((FOLDER / "oca-camt053.xml").read_bytes())
    assert [tx.identity for tx in again.transactions] == identities


def test_entries_with_the_same_bank_reference_are_told_apart() -> None:
    data = statement("same-bank-reference.xml", other_reference="RF712348231")
    first, second = camt053.parse(data).transactions
    assert first.entry_ref == second.entry_ref == "2024060300001"
    assert first.identity != second.identity
    assert (first.references, second.references) == (["RF18539007547034"], ["RF712348231"])


def test_two_identical_transfers_in_one_file_are_two_transactions() -> None:
    data = statement("matched.xml")
    entry = data[data.index(b"<Ntry>") : data.index(b"</Ntry>") + len(b"</Ntry>")]
    twice = data.replace(entry, entry + entry)
    first, second = camt053.parse(twice).transactions
    assert first.identity != second.identity
    # The first of them is the one of the file that held it once.
    assert first.identity == camt053.parse(data).transactions[0].identity


def test_a_pending_entry_booked_later_is_a_new_transaction() -> None:
    booked = statement("matched.xml")
    pending = booked.replace(b"<Sts>BOOK</Sts>", b"<Sts>PDNG</Sts>")
    assert (
        camt053.parse(pending).transactions[0].identity
        != camt053.parse(booked).transactions[0].identity
    )


def test_a_batch_without_amounts_per_transfer_keeps_every_reference() -> None:
    data = statement("batch.xml", "RF18539007547034", other_reference="RF712348231")
    data = data.replace(b'<AmtDtls><TxAmt><Amt Ccy="EUR">60.00</Amt></TxAmt></AmtDtls>', b"")
    [tx] = camt053.parse(data).transactions
    assert tx.amount_cents == 16_000
    assert tx.references == ["RF18539007547034", "RF712348231"]


def test_an_account_given_as_other_id_is_read() -> None:
    data = statement("matched.xml").replace(
        f"<IBAN>{NORD_IBAN}</IBAN>".encode(), b"<Othr><Id>10071 59000 00001024334 44</Id></Othr>"
    )
    parsed = camt053.parse(data)
    assert (parsed.iban, parsed.account_other) == ("", "10071590000000102433444")


def test_a_statement_without_entries_has_no_transactions() -> None:
    parsed = camt053.parse((FOLDER / "oca-camt053-no-ntry.xml").read_bytes())
    assert parsed.transactions == []


@pytest.mark.parametrize(
    "namespace",
    [
        "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02.evil",
        "urn:example:not-iso:camt.053.001.02",
        "urn:iso:std:iso:20022:tech:xsd:camt.053.001.99",
        "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02",
    ],
)
def test_a_made_up_namespace_is_refused(namespace: str) -> None:
    data = statement("matched.xml").replace(
        b"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02", namespace.encode()
    )
    with pytest.raises(camt053.CamtError) as error:
        camt053.parse(data)
    assert error.value.code == "not_camt053"


def test_elements_of_another_namespace_are_not_read() -> None:
    forged = b'<x:Ntry xmlns:x="urn:example:forged"><x:Amt Ccy="EUR">1.00</x:Amt></x:Ntry>'
    data = statement("matched.xml").replace(b"<Ntry>", forged + b"<Ntry>")
    [tx] = camt053.parse(data).transactions
    assert tx.amount_cents == 6_000


@pytest.mark.parametrize(
    "amount", ["1E+30", "99999999999999999999.99", "1000000000.00", "1e999999999"]
)
def test_amounts_too_large_to_be_real_cannot_be_read(amount: str) -> None:
    data = statement("matched.xml").replace(b">60.00<", f">{amount}<".encode())
    with pytest.raises(camt053.CamtError) as error:
        camt053.parse(data)
    assert error.value.code == "bad_amount"
