"""Profile forms: every inconsistency is refused with a message in the reader's language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.utils import translation

from admissions.people.forms import (
    EducationForm,
    FrenchForm,
    IdentityForm,
    ResidenceForm,
    WorkPeriodForm,
)

pytestmark = pytest.mark.django_db  # model forms check database constraints


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


TODAY = dt.date(2024, 6, 7)


def errors(form: object) -> dict[str, list[str]]:
    assert not form.is_valid()  # type: ignore[attr-defined]
    return {name: [str(e) for e in errs] for name, errs in form.errors.items()}  # type: ignore[attr-defined]


def identity(**data: str) -> IdentityForm:
    values = {"given_names": "Amina", "family_name": "Diallo", "birth_date": "1998-04-12"}
    values.update(data)
    return IdentityForm(data=values, today=TODAY)


def test_identity_accepts_a_plausible_candidate() -> None:
    form = identity()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["birth_date"] == dt.date(1998, 4, 12)
    assert form.cleaned_data["birth_place"] == ""


def test_identity_keeps_the_place_of_birth_and_bounds_it() -> None:
    form = identity(birth_place="Dakar (Sénégal)")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["birth_place"] == "Dakar (Sénégal)"
    assert "birth_place" in errors(identity(birth_place="x" * 500))


def test_identity_requires_names_and_birth_date() -> None:
    form = IdentityForm(data={}, today=TODAY)
    assert set(errors(form)) == {"given_names", "family_name", "birth_date"}


def test_birth_date_in_the_future_is_refused() -> None:
    assert errors(identity(birth_date="2024-06-08"))["birth_date"] == [
        "Your date of birth cannot be in the future."
    ]


def test_candidate_under_16_is_implausible() -> None:
    assert "younger than 16" in errors(identity(birth_date="2008-06-08"))["birth_date"][0]
    assert identity(birth_date="2008-06-07").is_valid()  # 16 today


def test_candidate_over_100_is_implausible() -> None:
    assert "older than 100" in errors(identity(birth_date="1900-01-01"))["birth_date"][0]


def test_birth_date_accepts_the_french_way_of_writing_dates() -> None:
    with translation.override("fr"):
        form = identity(birth_date="12/04/1998")
        assert form.is_valid(), form.errors


def test_errors_are_in_french_for_a_french_reader() -> None:
    with translation.override("fr"):
        message = errors(identity(birth_date="2030-01-01"))["birth_date"][0]
    assert message == "Votre date de naissance ne peut pas être dans le futur."


def residence(**data: str) -> ResidenceForm:
    values = {"nationality": "SN", "residence_country": "FR"}
    values.update(data)
    return ResidenceForm(data=values, today=TODAY)


def test_residence_stores_alpha_2_codes() -> None:
    form = residence(nationality="sn", residence_country="fr")
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["nationality"], form.cleaned_data["residence_country"]) == (
        "SN",
        "FR",
    )


def test_unknown_country_code_is_refused() -> None:
    message = errors(residence(nationality="XX"))["nationality"][0]
    assert "“XX” is not a known country code" in message


def test_permit_needs_its_dates() -> None:
    found = errors(residence(permit_kind="student"))
    assert found["permit_valid_until"] == [
        "Give the date until which your residence permit is valid."
    ]
    assert found["in_france_since"] == ["Give the date you arrived in France."]


def test_complete_permit_is_accepted() -> None:
    form = residence(
        permit_kind="student", permit_valid_until="2025-09-30", in_france_since="2022-09-01"
    )
    assert form.is_valid(), form.errors


def test_permit_ending_before_arrival_is_inconsistent() -> None:
    found = errors(
        residence(
            permit_kind="student", permit_valid_until="2021-09-30", in_france_since="2022-09-01"
        )
    )
    assert found["permit_valid_until"] == [
        "Your permit cannot end before the date you arrived in France."
    ]


def test_arrival_in_the_future_is_refused() -> None:
    found = errors(residence(in_france_since="2024-07-01"))
    assert found["in_france_since"] == ["The date you arrived in France cannot be in the future."]


def test_validity_date_without_a_permit_is_refused() -> None:
    assert (
        "no residence permit"
        in errors(residence(permit_valid_until="2025-01-01"))["permit_valid_until"][0]
    )


def test_french_nationals_need_no_permit() -> None:
    found = errors(
        residence(
            nationality="FR",
            permit_kind="other",
            permit_valid_until="2025-01-01",
            in_france_since="2020-01-01",
        )
    )
    assert found["permit_kind"] == ["French nationals do not need a residence permit."]


def test_permit_holder_must_live_in_france() -> None:
    found = errors(
        residence(
            residence_country="SN",
            permit_kind="student",
            permit_valid_until="2025-01-01",
            in_france_since="2020-01-01",
        )
    )
    assert "for candidates living in France" in found["permit_kind"][0]
    assert "your country of residence is not France" in found["in_france_since"][0]


@pytest.mark.parametrize(
    ("data", "field", "expected"),
    [
        ({"french_certificate": "DELF"}, "french_level", "Give the level"),
        ({"french_level": "B2"}, "french_certificate", "Choose the certificate"),
    ],
)
def test_french_certificate_and_level_go_together(
    data: dict[str, str], field: str, expected: str
) -> None:
    assert errors(FrenchForm(data=data, today=TODAY))[field][0].startswith(expected)


def test_french_level_can_be_left_empty() -> None:
    assert FrenchForm(data={}, today=TODAY).is_valid()
    assert FrenchForm(
        data={"french_certificate": "DALF", "french_level": "C1"}, today=TODAY
    ).is_valid()


def education(**data: str) -> EducationForm:
    values = {
        "level": "5",
        "diploma_kind": "master_m2",
        "title": "Master Informatique",
        "school": "Université de Lille",
        "country": "FR",
        "year": "2022",
        "status": "obtained",
    }
    values.update(data)
    return EducationForm(data=values, today=TODAY)


def test_education_accepts_a_master() -> None:
    form = education()
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("year", ["1949", "2026", "20222"])
def test_year_out_of_range_is_refused(year: str) -> None:
    assert errors(education(year=year))["year"] == ["Enter a year between 1950 and 2025."]


def test_diploma_expected_next_year_is_accepted() -> None:
    assert education(year="2025", status="expected").is_valid()


def test_obtained_diploma_cannot_be_in_the_future() -> None:
    assert "not obtained yet" in errors(education(year="2025"))["year"][0]


def test_expected_diploma_cannot_be_in_the_past() -> None:
    assert (
        "cannot have been awarded in 2020"
        in errors(education(year="2020", status="expected"))["year"][0]
    )


def test_diploma_kind_and_level_must_agree() -> None:
    assert errors(education(level="3"))["level"] == ["This kind of diploma is at level Bac+5."]


def test_foreign_diploma_is_not_from_france() -> None:
    assert "outside France" in errors(education(diploma_kind="foreign", country="FR"))["country"][0]
    assert education(diploma_kind="foreign", country="MA").is_valid()


def test_unknown_diploma_kind_is_refused() -> None:
    assert "diploma_kind" in errors(education(diploma_kind="phd"))


def work(**data: str) -> WorkPeriodForm:
    values = {"employer": "Acme", "position": "Analyst", "start": "2020-01-06", "end": ""}
    values.update(data)
    return WorkPeriodForm(data=values, today=TODAY)


def test_ongoing_work_period_has_no_end() -> None:
    form = work()
    assert form.is_valid(), form.errors
    assert form.cleaned_data["end"] is None


def test_work_ending_before_it_starts_is_refused() -> None:
    assert errors(work(end="2019-12-31"))["end"] == ["The end date is before the start date."]


def test_work_in_the_future_is_refused() -> None:
    assert "cannot be in the future" in errors(work(start="2024-06-10"))["start"][0]
    assert "leave it empty" in errors(work(end="2024-06-10"))["end"][0]


def test_work_before_1950_is_out_of_range() -> None:
    assert errors(work(start="1949-12-31"))["start"] == ["Enter a date after 1950."]


# Lengths and the phone number -----------------------------------------------------------


def test_an_address_of_100000_characters_is_refused_with_its_length() -> None:
    assert errors(identity(address="x" * 100_000)) == {
        "address": ["This text is too long: at most 500 characters (it has 100000)."]
    }


def test_an_address_within_the_limit_is_kept() -> None:
    form = identity(address="12 rue de Lille\n59000 Lille\n" + "x" * 470)
    assert form.is_valid(), form.errors


def test_the_address_field_tells_the_browser_its_limit() -> None:
    assert 'maxlength="500"' in str(identity()["address"])


def test_names_longer_than_150_characters_are_refused() -> None:
    assert set(errors(identity(given_names="A" * 151, family_name="D" * 100_000))) == {
        "given_names",
        "family_name",
    }


@pytest.mark.parametrize(
    "phone",
    [
        "+33 6 12 34 56 78",
        "06 12 34 56 78",
        "06.12.34.56.78",
        "+1 (555) 010-0199",
        "+216 71 000 000",
        "+44 (0)20 7946 0000",
        "0612345678",
    ],
)
def test_usual_ways_of_writing_a_phone_number_are_accepted(phone: str) -> None:
    form = identity(phone=phone)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == phone


def test_blanks_around_and_inside_a_phone_number_are_tidied() -> None:
    form = identity(phone="  +33  6 12\t34 56 78 ")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] == "+33 6 12 34 56 78"


@pytest.mark.parametrize(
    "phone",
    [
        "call me maybe",
        "06 12 34 56 78 ext. 12",
        "33+ 6 12 34 56 78",
        "+33 6 12 34 56 78 +1",
        "<script>alert(1)</script>",
        "12345",
        "1234567890123456",
        "06/12/34/56/78",
        "٠٦١٢٣٤٥٦٧٨",
    ],
)
def test_anything_else_is_refused_as_a_phone_number(phone: str) -> None:
    assert list(errors(identity(phone=phone))) == ["phone"]


def test_the_phone_message_says_what_is_expected() -> None:
    message = errors(identity(phone="call me maybe"))["phone"][0]
    assert "6 to 15 digits" in message
    assert "+33 6 12 34 56 78" in message
    with translation.override("fr"):
        french = errors(identity(phone="call me maybe"))["phone"][0]
    assert "chiffres" in french
