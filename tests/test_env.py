"""The typed readers of ADMISSIONS_* variables."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from admissions import env


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "FLAG",
        "FLAG_FILE",
        "COUNT",
        "COUNT_FILE",
        "HOSTS",
        "KIND",
        "TOKEN",
        "TOKEN_FILE",
        "PROXIES",
    ):
        monkeypatch.delenv(f"ADMISSIONS_{name}", raising=False)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        (" Yes ", True),
        ("ON", True),
        ("0", False),
        ("off", False),
        ("", False),
    ],
)
def test_boolean_reads_the_usual_spellings(
    monkeypatch: pytest.MonkeyPatch, value: str, expected: bool
) -> None:
    monkeypatch.setenv("ADMISSIONS_FLAG", value)
    assert env.boolean("FLAG", default=not expected) is expected


def test_boolean_default_when_unset() -> None:
    assert env.boolean("FLAG", default=True) is True


@pytest.mark.parametrize("value", ["maybe", "2", "vrai", "true!"])
def test_boolean_refuses_anything_else(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ADMISSIONS_FLAG", value)
    with pytest.raises(ImproperlyConfigured, match="ADMISSIONS_FLAG: expected true or false"):
        env.boolean("FLAG", default=False)


def test_integer(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env.integer("COUNT", 7) == 7
    monkeypatch.setenv("ADMISSIONS_COUNT", " 42 ")
    assert env.integer("COUNT", 7) == 42
    monkeypatch.setenv("ADMISSIONS_COUNT", "")
    assert env.integer("COUNT", 7) == 7


@pytest.mark.parametrize("value", ["4.5", "ten", "1e3", "0x10"])
def test_integer_refuses_non_integers(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ADMISSIONS_COUNT", value)
    with pytest.raises(ImproperlyConfigured, match="ADMISSIONS_COUNT: expected an integer"):
        env.integer("COUNT", 1)


def test_integer_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMISSIONS_COUNT", "0")
    with pytest.raises(ImproperlyConfigured, match="ADMISSIONS_COUNT: must be at least 1, got 0"):
        env.integer("COUNT", 5, minimum=1)
    monkeypatch.setenv("ADMISSIONS_COUNT", "100")
    with pytest.raises(ImproperlyConfigured, match="ADMISSIONS_COUNT: must be at most 60"):
        env.integer("COUNT", 5, minimum=1, maximum=60)
    monkeypatch.setenv("ADMISSIONS_COUNT", "60")
    assert env.integer("COUNT", 5, minimum=1, maximum=60) == 60


def test_listing(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env.listing("HOSTS", ["localhost"]) == ["localhost"]
    monkeypatch.setenv("ADMISSIONS_HOSTS", " a.example.org, b.example.org ,,")
    assert env.listing("HOSTS", []) == ["a.example.org", "b.example.org"]
    monkeypatch.setenv("ADMISSIONS_HOSTS", "")
    assert env.listing("HOSTS", ["localhost"]) == []


def test_listing_refuses_items_separated_by_spaces(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADMISSIONS_HOSTS", "a.example.org b.example.org")
    with pytest.raises(ImproperlyConfigured, match="ADMISSIONS_HOSTS: separate items with commas"):
        env.listing("HOSTS", [])


def test_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env.choice("KIND", "local", ("local", "s3")) == "local"
    monkeypatch.setenv("ADMISSIONS_KIND", " S3 ")
    assert env.choice("KIND", "local", ("local", "s3")) == "s3"
    monkeypatch.setenv("ADMISSIONS_KIND", "ftp")
    with pytest.raises(ImproperlyConfigured, match="ADMISSIONS_KIND: expected one of local, s3"):
        env.choice("KIND", "local", ("local", "s3"))


def test_file_holds_the_value(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("  s3cr3t-value\n", encoding="utf-8")
    monkeypatch.setenv("ADMISSIONS_TOKEN_FILE", str(secret))
    assert env.string("TOKEN", "default") == "s3cr3t-value"


def test_file_feeds_the_typed_readers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "flag").write_text("yes\n", encoding="utf-8")
    (tmp_path / "count").write_text("12\n", encoding="utf-8")
    monkeypatch.setenv("ADMISSIONS_FLAG_FILE", str(tmp_path / "flag"))
    monkeypatch.setenv("ADMISSIONS_COUNT_FILE", str(tmp_path / "count"))
    assert env.boolean("FLAG", default=False) is True
    assert env.integer("COUNT", 0) == 12


def test_missing_file_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ADMISSIONS_TOKEN_FILE", str(tmp_path / "absent"))
    with pytest.raises(ImproperlyConfigured, match=r"ADMISSIONS_TOKEN_FILE: cannot read .*absent"):
        env.string("TOKEN", "default")


def test_folder_instead_of_file_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ADMISSIONS_TOKEN_FILE", str(tmp_path))
    with pytest.raises(ImproperlyConfigured, match="ADMISSIONS_TOKEN_FILE: cannot read"):
        env.string("TOKEN", "default")


def test_empty_file_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "token").write_text("\n", encoding="utf-8")
    monkeypatch.setenv("ADMISSIONS_TOKEN_FILE", str(tmp_path / "token"))
    with pytest.raises(ImproperlyConfigured, match=r"ADMISSIONS_TOKEN_FILE: .* is empty"):
        env.string("TOKEN", "default")


def test_binary_file_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "token").write_bytes(b"\xff\xfe\x00binary")
    monkeypatch.setenv("ADMISSIONS_TOKEN_FILE", str(tmp_path / "token"))
    with pytest.raises(ImproperlyConfigured, match="not readable as UTF-8 text"):
        env.string("TOKEN", "default")


def test_value_and_file_together_are_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "token").write_text("from-file", encoding="utf-8")
    monkeypatch.setenv("ADMISSIONS_TOKEN", "from-variable")
    monkeypatch.setenv("ADMISSIONS_TOKEN_FILE", str(tmp_path / "token"))
    with pytest.raises(ImproperlyConfigured, match="ADMISSIONS_TOKEN and ADMISSIONS_TOKEN_FILE"):
        env.string("TOKEN", "default")


def test_networks_read_addresses_and_cidr_networks(monkeypatch: pytest.MonkeyPatch) -> None:
    assert env.networks("PROXIES", []) == ()
    monkeypatch.setenv("ADMISSIONS_PROXIES", "10.0.0.0/8, 192.0.2.7,::1, 2001:db8::/32")
    assert env.networks("PROXIES", []) == (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("192.0.2.7/32"),
        ipaddress.ip_network("::1/128"),
        ipaddress.ip_network("2001:db8::/32"),
    )


@pytest.mark.parametrize("value", ["proxy.example.org", "10.0.0.300", "10.0.0.0/40"])
def test_networks_refuse_anything_else(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("ADMISSIONS_PROXIES", value)
    with pytest.raises(ImproperlyConfigured, match="ADMISSIONS_PROXIES: expected IP addresses"):
        env.networks("PROXIES", [])
