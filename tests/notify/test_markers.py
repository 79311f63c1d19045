"""Emails filled into a rendering kept in the process are exactly the emails rendered in full."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from pytest_django.fixtures import Settings

from admissions.notify import markers
from admissions.notify.context import Footer
from admissions.notify.kinds import Kind, kind
from admissions.notify.models import Audience
from admissions.notify.render import Wording, render
from admissions.notify.restricted import Value

FOOTER = Footer(
    name="IMT Nord Europe",
    short_name="IMT NE",
    address=["Bâtiment B", "59000 Lille"],
    phone="+33 3 00 00 00 00",
    email="admissions@imt-nord-europe.example",
    website="https://imt-nord-europe.example",
)
VARYING = ("candidate_name", "reference", "link", "creditor_reference")
NAMES = [
    "Camille Durand",
    "Zoë O'Brien & <Fils>",
    'Jean "Jojo" Dupont',
    "Ünal Çelik-Øster",
    "",  # no name: the greeting is left out
    "Jean  Dupont",  # two spaces: the subject's spacing is normalised
    " Anne Martin ",
    "Line\nBreak",
    "x" * 150,
    markers.marker(0),
]


def values(name: str, number: int) -> dict[str, Value]:
    reference = f"IMTNE-2026-{number:06d}"
    return {
        "candidate_name": name,
        "reference": reference,
        "programme": "Mastère Spécialisé Cybersécurité & Cloud",
        "institution": "IMT Nord Europe",
        "link": f"https://admissions.example/fr/payer/{reference}/application_fee/0/?a=1&b=<2>",
        "amount": "150,00 €",
        "charge": "Frais de candidature",
        "creditor_reference": f"RF{number:02d} 0000 {number:04d}",
        "bank_holder": "Institut Mines-Télécom",
        "iban": "FR76 3000 1007 9412 3456 7890 185",
        "bic": "BDFEFRPPCCT",
    }


@pytest.fixture(autouse=True)
def empty_table() -> None:
    markers._kept.clear()


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    "wording",
    [
        None,
        Wording(
            subject="Frais de {reference} pour {candidate_name}",
            body="Bonjour {candidate_name},\n\nPayez {amount} avec {creditor_reference}.\n\n"
            "{link}\n\nVoir https://example.org/aide?x=1&y=2",
        ),
    ],
)
def test_filled_emails_are_those_rendered_in_full(language: str, wording: Wording | None) -> None:
    transfer = kind("transfer_awaited")
    for number, name in enumerate(NAMES * 2, start=1):
        given = values(name, number)
        full = render(transfer, given, language=language, footer=FOOTER, wording=wording)
        kept = markers.kept_render(
            transfer, given, language=language, footer=FOOTER, wording=wording, varying=VARYING
        )
        assert kept == full, name
    # One rendering kept for the filled ones (and none for what only differs by emptiness).
    shared = [key for key, template in markers._kept.items() if template is not None]
    assert len(shared) == 1
    assert "Camille Durand" not in repr(shared[0])


def test_a_value_that_stays_is_part_of_the_key() -> None:
    transfer = kind("transfer_awaited")
    first = values("Camille Durand", 1)
    other = {**values("Camille Durand", 2), "amount": "300,00 €"}
    for given in (first, other):
        kept = markers.kept_render(
            transfer, given, language="fr", footer=FOOTER, wording=None, varying=VARYING
        )
        assert kept == render(transfer, given, language="fr", footer=FOOTER, wording=None)
        assert given["amount"] in kept.text
    assert len(markers._kept) == 2


@pytest.fixture
def filtered_kind(settings: Settings, tmp_path: Path) -> Kind:
    """An email whose templates change a value as they print it (upper case)."""
    folder = tmp_path / "notify" / "email" / "shouting"
    folder.mkdir(parents=True)
    (folder / "subject.txt").write_text("About {{ reference }}")
    (folder / "body.txt").write_text("Hello {{ candidate_name|upper }}, see {{ link }}")
    (folder / "body.html").write_text("<p>Hello {{ candidate_name|upper }}</p>")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path, *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    transfer = kind("transfer_awaited")
    return Kind(
        code="shouting", audience=Audience.CANDIDATE, label=transfer.label, action=transfer.action
    )


def test_a_rendering_that_fills_wrongly_is_not_kept(filtered_kind: Kind) -> None:
    for number, name in enumerate(["Camille Durand", "Jordan Smith", "Ana Lopez"], start=1):
        given = values(name, number)
        kept = markers.kept_render(
            filtered_kind, given, language="en", footer=FOOTER, wording=None, varying=VARYING
        )
        assert kept == render(filtered_kind, given, language="en", footer=FOOTER, wording=None)
        assert name.upper() in kept.text
    assert list(markers._kept.values()) == [None]
