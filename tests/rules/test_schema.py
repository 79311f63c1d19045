"""Malformed rulebooks are refused with every problem named by its key path, at once."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import re
import tomllib
from collections.abc import Callable, Iterator
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from admissions.rulebooks import preset_path
from admissions.rules import vocabulary
from admissions.rules.rulebook import (
    RulebookError,
    parse_rulebook,
    read_rulebook,
    rulebook_from_data,
    validate_rulebook,
)
from admissions.rules.schema import Rulebook

Raw = dict[str, Any]
VOCABULARIES = [
    item
    for item in vars(vocabulary).values()
    if isinstance(item, type) and issubclass(item, StrEnum) and item is not StrEnum
]
PROBLEM_LINE = re.compile(r"^[a-z_]+(\[\d+\])*(\.[a-z_]+(\[\d+\])*)*: \S")


@functools.cache
def _parsed(slug: str) -> Raw:
    return tomllib.loads(preset_path(slug).read_text(encoding="utf-8"))


def raw(slug: str) -> Raw:
    return copy.deepcopy(_parsed(slug))


def nord() -> Raw:
    return raw("imt-nord-europe")


def bs() -> Raw:
    return raw("imt-bs")


def problems(data: Raw) -> list[str]:
    with pytest.raises(RulebookError) as caught:
        validate_rulebook(data, source="test.toml")
    assert str(caught.value).startswith("test.toml: the rulebook is refused:\n  - ")
    return caught.value.problems


def warnings(data: Raw) -> list[str]:
    return validate_rulebook(data).warnings


def valid_iban_with(bban: str) -> str:
    """A French IBAN whose ISO check digits are right, whatever the national key says."""
    digits = "".join(str(int(char, 36)) for char in f"{bban}FR00")
    return f"FR{98 - int(digits) % 97:02d}{bban}"


# One kind of mistake each: the mutation, then the exact line (or its start) expected.
Mutation = Callable[[Raw], object]
CASES: list[tuple[str, Callable[[], Raw], Mutation, str]] = [
    (
        "bad amount",
        nord,
        lambda r: r["fees"]["tuition"].update(company="abc"),
        'fees.tuition.company: expected an amount in EUR, got "abc"',
    ),
    (
        "float amount",
        nord,
        lambda r: r["fees"]["application"].update(amount=60.5),
        "fees.application.amount: expected an amount in EUR, got 60.5",
    ),
    (
        "negative amount",
        nord,
        lambda r: r["fees"]["cvec"].update(amount="-100"),
        "fees.cvec.amount: expected a positive amount in EUR",
    ),
    (
        "amount with fractions of a cent",
        nord,
        lambda r: r["fees"]["cvec"].update(amount="100.005"),
        "fees.cvec.amount: expected at most two decimals (cents)",
    ),
    (
        "unknown key",
        nord,
        lambda r: r["fees"].update(tution=r["fees"].pop("tuition")),
        'fees.tution: unknown key (did you mean "tuition"?); expected one of: currency, '
        "application, deposit, tuition, tuition_note, cvec",
    ),
    (
        "unknown top-level key",
        nord,
        lambda r: r.update(campaigns={}),
        'campaigns: unknown key (did you mean "campaign"?)',
    ),
    (
        "unknown key in a list item",
        nord,
        lambda r: r["programmes"][2].update(capcity=r["programmes"][2].pop("capacity")),
        'programmes[2].capcity: unknown key (did you mean "capacity"?)',
    ),
    (
        "missing key",
        nord,
        lambda r: r["fees"].pop("application"),
        "fees.application: missing; this key is required",
    ),
    (
        "missing section",
        nord,
        lambda r: r.pop("campaign"),
        "campaign: missing; this key is required",
    ),
    (
        "missing translation",
        nord,
        lambda r: r["institution"]["description"].pop("en"),
        "institution.description.en: missing; this key is required",
    ),
    (
        "bad enum",
        nord,
        lambda r: r["financing_modes"][0].update(category="entreprise"),
        "financing_modes[0].category: expected 'personal' or 'company', got \"entreprise\"",
    ),
    (
        "bad enum in a list",
        nord,
        lambda r: r["programmes"][0].update(tracks=["part_time"]),
        "programmes[0].tracks[0]: expected 'full_time' or 'work_study', got \"part_time\"",
    ),
    (
        "list where a word goes",
        bs,
        lambda r: r["documents"]["requirements"][8].update(condition=[]),
        "documents.requirements[8].condition: expected 'always', 'french_certificate_needed'",
    ),
    (
        "bad schema version",
        nord,
        lambda r: r.update(schema_version=2),
        "schema_version: expected 1, got 2",
    ),
    (
        "bad date",
        nord,
        lambda r: r["campaign"].update(opens_on="2023-02-30"),
        'campaign.opens_on: expected a date written YYYY-MM-DD, got "2023-02-30"',
    ),
    (
        "closing before opening",
        nord,
        lambda r: r["campaign"]["closes_on"].update(date=dt.date(2023, 1, 31)),
        "campaign.closes_on.date: 2023-01-31 is before opens_on 2023-09-15",
    ),
    (
        "international deadline outside the campaign",
        nord,
        lambda r: r["campaign"]["international_deadline"].update(date=dt.date(2024, 7, 1)),
        "campaign.international_deadline.date: 2024-07-01 is outside the campaign "
        "(2023-09-15 to 2024-06-07)",
    ),
    (
        "jury date outside its month",
        nord,
        lambda r: r["jury_sessions"][0].update(date=dt.date(2024, 4, 2)),
        "jury_sessions[0].date: 2024-04-02 is not in month 2024-03",
    ),
    (
        "cut-off after the jury",
        nord,
        lambda r: r["jury_sessions"][1].update(
            date=dt.date(2024, 4, 10), files_cutoff=dt.date(2024, 4, 12)
        ),
        "jury_sessions[1].files_cutoff: 2024-04-12 is after the session date",
    ),
    (
        "jury before the campaign opens",
        nord,
        lambda r: r["jury_sessions"][0].update(month="2023-06", date=dt.date(2023, 6, 20)),
        "jury_sessions[0].date: 2023-06-20 is before the campaign opens (campaign.opens_on "
        "2023-09-15)",
    ),
    (
        "bad month",
        nord,
        lambda r: r["jury_sessions"][0].update(month="2024-13"),
        'jury_sessions[0].month: expected a month written YYYY-MM, such as "2024-03", '
        'got "2024-13"',
    ),
    (
        "bad IBAN check digits",
        nord,
        lambda r: r["bank_account"].update(iban="FR77 1007 1590 0000 0010 2433 444"),
        'bank_account.iban: expected a valid IBAN, got "FR77 1007 1590 0000 0010 2433 444" '
        "(Invalid checksum digits)",
    ),
    (
        "bad RIB key behind right IBAN check digits",
        nord,
        lambda r: r["bank_account"].update(iban=valid_iban_with("10071590000000102433445")),
        "bank_account.iban: expected a valid IBAN, got",
    ),
    (
        "bad BIC",
        nord,
        lambda r: r["bank_account"].update(bic="TRPUFRP"),
        'bank_account.bic: expected a valid BIC, got "TRPUFRP"',
    ),
    (
        "unknown site",
        nord,
        lambda r: r["programmes"][0].update(site="lile"),
        'programmes[0].site: unknown site "lile"; expected one of: douai, lille',
    ),
    (
        "unknown programme in a route",
        bs,
        lambda r: r["entry_routes"][4]["programmes"].__setitem__(0, "ms-inconnu"),
        'entry_routes[4].programmes[0]: unknown programme "ms-inconnu"; expected one of: '
        "ms-achats-supply-chain, ms-data-ia-management, ms-rse-transition-ecologique, "
        "ms-transformation-digitale",
    ),
    (
        "unknown financing mode in a refund rule",
        bs,
        lambda r: r["refunds"][1]["financing_modes"].__setitem__(0, "opcoo"),
        'refunds[1].financing_modes[0]: unknown financing mode "opcoo"; expected one of: '
        "demandeur-emploi, entreprise, opco, personnel, transition-pro",
    ),
    (
        "duplicate programme",
        nord,
        lambda r: r["programmes"][1].update(slug="ms-cybersecurite"),
        'programmes[1].slug: "ms-cybersecurite" is already used by programmes[0]; each slug '
        "must be unique",
    ),
    (
        "duplicate document",
        bs,
        lambda r: r["documents"]["requirements"][3].update(code="cv"),
        'documents.requirements[3].code: "cv" is already used by documents.requirements[0]',
    ),
    (
        "duplicate criterion",
        bs,
        lambda r: r["interview"]["criteria"][4].update(code="expression-orale"),
        'interview.criteria[4].code: "expression-orale" is already used by interview.criteria[2]',
    ),
    (
        "slug with capitals and spaces",
        nord,
        lambda r: r["programmes"][0].update(slug="MS Cyber"),
        "programmes[0].slug: expected a code of lowercase letters, digits and hyphens",
    ),
    (
        "country code in lower case",
        bs,
        lambda r: r["language"].update(exempt_nationalities=["fr"]),
        "language.exempt_nationalities[0]: expected a two-letter country code in capitals "
        '(ISO 3166), such as "FR", got "fr"',
    ),
    (
        "text where a boolean goes",
        bs,
        lambda r: r["interview"].update(mandatory="yes"),
        'interview.mandatory: expected true or false, got "yes"',
    ),
    (
        "text where a count goes",
        nord,
        lambda r: r["programmes"][0].update(capacity="24"),
        'programmes[0].capacity: expected a whole number, got "24"',
    ),
    (
        "count out of range",
        nord,
        lambda r: r["programmes"][0].update(capacity=0),
        "programmes[0].capacity: expected greater than or equal to 1, got 0",
    ),
    (
        "empty list",
        nord,
        lambda r: r["programmes"][0].update(tracks=[]),
        "programmes[0].tracks: expected at least 1 item",
    ),
    (
        "table where a text goes",
        nord,
        lambda r: r["institution"].update(name={"fr": "IMT"}),
        "institution.name: expected a text in quotes, got a table",
    ),
    (
        "academic year not consecutive",
        nord,
        lambda r: r["fees"]["cvec"].update(reference_year="2023-2025"),
        'fees.cvec.reference_year: expected two consecutive years such as "2024-2025", '
        'got "2023-2025"',
    ),
    (
        "housing range upside down",
        nord,
        lambda r: r["sites"][1]["housing"].update(monthly_min="500"),
        "sites[1].housing.monthly_min: 500.00 EUR is above monthly_max 450.00 EUR",
    ),
    (
        "internship longer than the programme",
        nord,
        lambda r: r["programmes"][0].update(internship_months=13),
        "programmes[0].internship_months: 13 months is longer than duration_months (12)",
    ),
    (
        "no tuition anywhere",
        nord,
        lambda r: r["fees"].pop("tuition"),
        "programmes[1].tuition: missing, and fees.tuition gives no default rates",
    ),
    (
        "first step not apply",
        nord,
        lambda r: r["steps"].pop(0),
        'steps[0].step: the first step must be "apply", got "fee"',
    ),
    (
        "steps out of order",
        nord,
        lambda r: r["steps"].insert(1, r["steps"].pop(4)),
        'steps[2].step: "fee" cannot come after "jury"; steps follow the order apply, fee, '
        "review, interview, jury, confirm",
    ),
    (
        "step twice",
        nord,
        lambda r: r["steps"].append(copy.deepcopy(r["steps"][5])),
        'steps[6].step: "confirm" is already listed at steps[5]',
    ),
    (
        "mandatory interview without its step",
        bs,
        lambda r: r["steps"].pop(2),
        'steps: interview.mandatory is true but no step is "interview"',
    ),
    (
        "optional step other than the interview",
        nord,
        lambda r: r["steps"][1].update(optional=True),
        "steps[1].optional: only the interview step can be optional",
    ),
    (
        "optional interview step for a mandatory interview",
        bs,
        lambda r: r["steps"][2].update(optional=True),
        "steps[2].optional: the interview step cannot be optional when interview.mandatory is true",
    ),
    (
        "confirmation charge not charged",
        nord,
        lambda r: r["confirmation"]["charges"].append("deposit"),
        'confirmation.charges[1]: "deposit" is not charged by this rulebook (no fees.deposit)',
    ),
    (
        "refund of a charge not charged",
        nord,
        lambda r: r["refunds"][1].update(charge="deposit"),
        'refunds[1].charge: "deposit" is not charged by this rulebook (no fees.deposit)',
    ),
    (
        "bank transfer without an account",
        nord,
        lambda r: r.pop("bank_account"),
        'bank_account: missing, required because fees.application.methods includes "bank_transfer"',
    ),
    (
        "VAPP route without a VAPP document",
        nord,
        lambda r: r["documents"]["requirements"].pop(9),
        "entry_routes[5].implies.vapp_file: true, but no documents.requirements entry has "
        'condition "vapp_required"',
    ),
    (
        "French certificate without a language level",
        bs,
        lambda r: r.pop("language"),
        'documents.requirements[6].condition: "french_certificate_needed" needs a [language] '
        "table saying which level is required",
    ),
    (
        "diplomas in progress without conditional admission",
        nord,
        lambda r: r["jury"].update(decisions=["admitted", "not_admitted"]),
        'jury.decisions: "admitted_conditionally" is missing although entry_routes[0] admits '
        "a diploma still in progress",
    ),
    (
        "a jury that cannot refuse",
        bs,
        lambda r: r["jury"].update(decisions=["admitted", "admitted_conditionally"]),
        'jury.decisions: "not_admitted" is missing; a jury must be able to admit and to refuse',
    ),
    (
        "a decision twice",
        bs,
        lambda r: r["jury"]["decisions"].append("admitted"),
        'jury.decisions[2]: "admitted" is listed twice',
    ),
    (
        "rolling jury with fixed sessions",
        nord,
        lambda r: r["jury"].update(rolling=True),
        "jury.rolling: true, but jury_sessions lists fixed sessions; keep one of the two",
    ),
]


@pytest.mark.parametrize(
    ("make", "mutate", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_a_malformed_rulebook_is_refused_with_its_key_path(
    make: Callable[[], Raw], mutate: Mutation, expected: str
) -> None:
    data = make()
    mutate(data)
    found = problems(data)
    assert any(line.startswith(expected) for line in found), found
    assert all(PROBLEM_LINE.match(line) for line in found), found


def test_every_problem_is_reported_at_once() -> None:
    data = nord()
    data["fees"]["tuition"]["company"] = "abc"
    data["fees"]["tution"] = data["fees"].pop("tuition")
    data["financing_modes"][0]["category"] = "entreprise"
    data["programmes"][0]["site"] = "lile"
    data["programmes"][1]["slug"] = "ms-cybersecurite"
    data["bank_account"]["iban"] = "FR77 1007 1590 0000 0010 2433 444"
    del data["campaign"]["opens_on"]
    found = problems(data)
    for start in (
        "fees.tution: unknown key",
        "financing_modes[0].category: expected",
        'programmes[0].site: unknown site "lile"',
        'programmes[1].slug: "ms-cybersecurite" is already used',
        "bank_account.iban: expected a valid IBAN",
        "campaign.opens_on: missing",
    ):
        assert any(line.startswith(start) for line in found), (start, found)
    assert len(found) == len(set(found))


def test_invalid_toml_is_refused_with_its_line() -> None:
    text = preset_path("imt-bs").read_text(encoding="utf-8")
    broken = text.replace('slug = "imt-bs"', 'slug = "imt-bs', 1)
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(broken, source="imt-bs.toml")
    (line,) = caught.value.problems
    assert line.startswith("not valid TOML: ")
    number = text.splitlines().index('slug = "imt-bs"') + 1
    assert f"(at line {number}, column 15)" in line
    assert caught.value.source == "imt-bs.toml"


def test_a_toml_date_that_does_not_exist_is_refused() -> None:
    with pytest.raises(RulebookError) as caught:
        parse_rulebook("schema_version = 1\n[campaign]\nopens_on = 2024-02-30\n")
    assert caught.value.problems[0].startswith("not valid TOML: ")


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RulebookError) as missing:
        read_rulebook(tmp_path / "nowhere.toml")
    assert missing.value.problems == ["cannot be read: No such file or directory"]
    latin = tmp_path / "latin.toml"
    latin.write_bytes('name = "Écoles"'.encode("latin-1"))
    with pytest.raises(RulebookError) as undecodable:
        read_rulebook(latin)
    assert undecodable.value.problems == ["is not UTF-8 text"]


def test_the_iban_is_stored_compact_and_the_bic_upper_case() -> None:
    data = nord()
    data["bank_account"]["bic"] = "trpufrp1"
    account = validate_rulebook(data).rulebook.bank_account
    assert account is not None
    assert (account.iban, account.bic) == ("FR7610071590000000102433444", "TRPUFRP1")


# Warnings -------------------------------------------------------------------------------


def test_a_single_stated_date_gives_no_warning() -> None:
    data = nord()
    data["campaign"]["closes_on"]["also_stated"] = [dt.date(2024, 6, 7)]
    del data["campaign"]["international_deadline"]["also_stated"]
    assert not any(line.startswith("campaign.") for line in warnings(data))


def test_cvec_of_the_year_taught_gives_no_warning() -> None:
    data = nord()
    data["fees"]["cvec"]["reference_year"] = "2024-2025"
    assert not any(line.startswith("fees.cvec") for line in warnings(data))
    del data["campaign"]["academic_year"]  # the year taught is then the closing year's
    assert not any(line.startswith("fees.cvec") for line in warnings(data))
    data["fees"]["cvec"]["reference_year"] = "2022-2023"
    assert any(line.startswith("fees.cvec.reference_year: ") for line in warnings(data))


def test_dated_jury_sessions_give_no_warning() -> None:
    data = nord()
    for session, day in zip(data["jury_sessions"], (21, 18, 22, 20), strict=True):
        session["date"] = dt.date(2024, int(session["month"][-2:]), day)
    assert not any(line.startswith("jury_sessions") for line in warnings(data))


def test_a_jury_session_far_from_the_campaign_is_flagged() -> None:
    data = nord()
    data["jury_sessions"][3]["month"] = "2025-06"
    assert (
        "jury_sessions[3].month: 2025-06 is far from the campaign (2023-09-15 to 2024-06-07); "
        "check the year"
    ) in warnings(data)


def test_no_jury_session_and_no_rolling_jury_is_flagged() -> None:
    data = nord()
    data["jury_sessions"] = []
    assert (
        "jury_sessions: none defined and jury.rolling is false; files go to the jury as they "
        "are ready"
    ) in warnings(data)


def test_a_programme_no_route_leads_to_is_flagged() -> None:
    data = bs()
    for route in data["entry_routes"]:
        route["programmes"] = ["ms-achats-supply-chain"]
    found = warnings(data)
    assert (
        'programmes[0]: no entry route applies to "ms-transformation-digitale"; nobody is eligible'
    ) in found
    assert len([line for line in found if "no entry route" in line]) == 3


def test_a_language_level_nobody_is_asked_to_prove_is_flagged() -> None:
    data = bs()
    data["documents"]["requirements"].pop(6)
    assert any(line.startswith("language: ") for line in warnings(data))


def test_a_region_document_no_financing_mode_leads_to_is_flagged() -> None:
    data = nord()
    data["financing_modes"][4]["region_funded"] = False
    assert (
        'documents.requirements[10].condition: "region_funded", but no financing mode has '
        "region_funded = true, so this document is never asked for"
    ) in warnings(data)


def test_a_deposit_for_a_track_no_programme_offers_is_flagged() -> None:
    data = bs()
    data["fees"]["deposit"]["tracks"] = ["full_time", "work_study"]
    for programme in data["programmes"]:
        programme["tracks"] = ["work_study"]
    assert 'fees.deposit.tracks[0]: no programme offers the "full_time" track' in warnings(data)


def test_start_dates_are_checked_against_the_campaign_and_the_region_request() -> None:
    data = nord()
    data["programmes"][0]["starts_on"] = dt.date(2024, 6, 1)
    del data["programmes"][1]["starts_on"]
    found = warnings(data)
    assert "programmes[0].starts_on: 2024-06-01 is not after campaign.closes_on (2024-06-07)" in (
        found
    )
    assert (
        "financing_modes[4].request_weeks_before_start: programmes ms-transition-energetique "
        "have no starts_on, so the date by which to ask cannot be computed"
    ) in found


# Round trips, digest, helpers -----------------------------------------------------------


@pytest.mark.parametrize("slug", ["imt-bs", "imt-nord-europe"])
def test_the_stored_json_gives_back_the_same_rulebook(slug: str) -> None:
    loaded = read_rulebook(preset_path(slug))
    assert rulebook_from_data(loaded.data) == loaded.rulebook
    assert loaded.source.endswith(f"{slug}.toml")


def test_the_digest_ignores_comments_and_layout_but_not_values() -> None:
    text = preset_path("imt-nord-europe").read_text(encoding="utf-8")
    digest = parse_rulebook(text).digest
    assert parse_rulebook("# a comment\n\n" + text.replace(" = ", "=")).digest == digest
    assert parse_rulebook(text.replace('amount = "60"', 'amount = "61"')).digest != digest


def test_data_rebuilt_by_code_is_checked_across_sections_too() -> None:
    data = validate_rulebook(nord()).data
    data["programmes"][0]["site"] = "lile"
    with pytest.raises(ValidationError, match=re.escape('programmes[0].site: unknown site "lile"')):
        rulebook_from_data(data)


def test_lookup_helpers() -> None:
    rulebook = validate_rulebook(nord()).rulebook
    assert rulebook.programme("ms-cybersecurite").site == "lille"
    assert rulebook.site("douai").housing is not None
    assert rulebook.financing_mode("transition-pro").code == "transition-pro"
    assert len(rulebook.routes_for("ms-cybersecurite")) == 7
    for lookup in (rulebook.programme, rulebook.site, rulebook.financing_mode):
        with pytest.raises(KeyError):
            lookup("unknown")


# Properties -----------------------------------------------------------------------------


def leaves(value: object, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for index, item in enumerate(value):
            yield from leaves(item, (*path, index))
    else:
        yield path


LEAVES = sorted({*leaves(nord()), *leaves(bs())}, key=str)
ANY_VALUE = st.one_of(
    st.text(max_size=12),
    st.integers(min_value=-10, max_value=100_000),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@settings(max_examples=150, deadline=None)
@given(slug=st.sampled_from(["imt-bs", "imt-nord-europe"]), index=st.integers(0), value=ANY_VALUE)
def test_any_value_anywhere_is_accepted_or_refused_with_a_key_path(
    slug: str, index: int, value: object
) -> None:
    data = raw(slug)
    paths = [path for path in LEAVES if _holds(data, path)]
    *parents, last = paths[index % len(paths)]
    parent: Any = data
    for part in parents:
        parent = parent[part]
    parent[last] = value
    refused: list[str] = []
    try:
        validate_rulebook(data)
    except RulebookError as error:
        refused = error.problems or ["(a refusal without problems)"]
    assert all(PROBLEM_LINE.match(line) for line in refused), refused


def _holds(data: Any, path: tuple[str | int, ...]) -> bool:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return False
        elif not isinstance(data, dict) or part not in data:
            return False
        data = data[part]
    return True


@settings(max_examples=100, deadline=None)
@given(cents=st.integers(min_value=0, max_value=10**9), style=st.sampled_from(["plain", "fr"]))
def test_amounts_written_as_text_keep_every_cent(cents: int, style: str) -> None:
    amount = Decimal(cents) / 100
    text = (
        f"{amount:.2f}"
        if style == "plain"
        else f"{amount:,.2f}".replace(",", " ").replace(".", ",")
    )
    data = nord()
    data["fees"]["application"]["amount"] = text
    loaded = validate_rulebook(data)
    assert loaded.rulebook.fees.application.amount == amount
    assert loaded.data["fees"]["application"]["amount"] == f"{amount:.2f}"


@settings(max_examples=50, deadline=None)
@given(value=st.floats(allow_nan=False, allow_infinity=False))
def test_float_amounts_are_always_refused(value: float) -> None:
    data = nord()
    data["fees"]["tuition"]["personal"] = value
    found = problems(data)
    assert any(line.startswith("fees.tuition.personal: expected") for line in found)


# The documentation ----------------------------------------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rulebooks.md"


def field_names(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[str]:
    if model in seen:
        return
    seen.add(model)
    for name, info in model.model_fields.items():
        yield name
        for inner in _models_in(info.annotation):
            yield from field_names(inner, seen)


def _models_in(annotation: object) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for argument in get_args(annotation):
        yield from _models_in(argument)


def test_every_key_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    names = set(field_names(Rulebook, set()))
    assert len(names) > 100
    undocumented = sorted(name for name in names if f"`{name}`" not in text)
    assert undocumented == []


def test_every_vocabulary_value_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    values = {member.value for vocabulary in VOCABULARIES for member in vocabulary}
    assert sorted(value for value in values if f"`{value}`" not in text) == []


def test_the_minimal_rulebook_of_the_documentation_loads() -> None:
    text = DOCS.read_text(encoding="utf-8")
    minimal = text.split("## A minimal rulebook", 1)[1]
    block = minimal.split("```toml\n", 1)[1].split("```", 1)[0]
    loaded = parse_rulebook(block, source="docs")
    assert loaded.warnings == [
        "jury_sessions: none defined and jury.rolling is false; files go to the jury as they "
        "are ready"
    ]


def test_the_examples_of_the_documentation_are_valid_toml() -> None:
    blocks = DOCS.read_text(encoding="utf-8").split("```toml\n")[1:]
    assert len(blocks) > 20
    for block in blocks:
        tomllib.loads(block.split("```", 1)[0])
