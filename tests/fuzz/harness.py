"""Coverage-guided fuzzing (atheris, libFuzzer) of what reads untrusted bytes.

    python -m tests.fuzz.harness TARGET [libFuzzer options] [CORPUS_DIR ...]

Targets:

- `intake`: `documents.intake.check_file`, as an upload of a document accepting PDF and
  JPEG goes through it: size, type sniffing, the PDF scan in its bounded child process,
  the JPEG decoding. Anything but a `Refusal` is a finding.
- `pdfscan`: `documents.pdfscan.scan`, the walk of a PDF's object graph, run in this
  process so that the fuzzer sees its branches. The child that runs it in production turns
  an exception into a refusal with a warning in the log; here any exception is a finding.
- `camt053`: `payments.camt053.parse`, the bank-statement reader. Anything but a
  `CamtError` is a finding.

libFuzzer writes each finding as `crash-<sha1>` (see `-artifact_prefix`) and exits with a
non-zero status. The test suite runs each target briefly (tests/fuzz/test_harness.py);
`make fuzz` runs them longer and keeps the findings (bench/fuzz/).
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable
from decimal import Decimal

TARGETS = ("intake", "pdfscan", "camt053")


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "admissions.settings")
    import django

    django.setup()


def intake_target() -> Callable[[bytes], None]:
    from admissions.documents.intake import check_file
    from admissions.documents.refusals import Refusal
    from admissions.rules.schema import DocumentRequirement

    requirement = DocumentRequirement.model_validate(
        {
            "code": "piece-identite",
            "label": {"fr": "Pièce d'identité", "en": "Identity document"},
            "formats": ["pdf", "jpeg"],
            "max_size_mb": Decimal(5),
            "max_pages": 4,
            "min_width_px": 200,
            "min_height_px": 200,
        }
    )

    def one(data: bytes) -> None:
        try:
            check_file(io.BytesIO(data), requirement=requirement)
        except Refusal as refusal:
            if not refusal.message:  # a refusal is told in a sentence
                raise AssertionError(f"a refusal without a message: {refusal.code}") from None

    return one


def pdfscan_target() -> Callable[[bytes], None]:
    from admissions.documents import pdfscan

    def one(data: bytes) -> None:
        # MemoryError is the child's address-space limit: a refusal in production.
        with contextlib.suppress(MemoryError):
            pdfscan.scan(data, max_objects=20_000)

    return one


def camt053_target() -> Callable[[bytes], None]:
    from admissions.payments.camt053 import CamtError, parse

    def one(data: bytes) -> None:
        try:
            statement = parse(data)
        except CamtError as error:
            if not error.code:
                raise AssertionError("a refusal without a code") from None
            return
        for transaction in statement.transactions:
            transaction.references  # noqa: B018 - what reconciliation reads next

    return one


def main(argv: list[str]) -> None:
    import atheris

    if len(argv) < 2 or argv[1] not in TARGETS:
        sys.exit(f"usage: python -m tests.fuzz.harness {{{','.join(TARGETS)}}} [libFuzzer options]")
    target = argv[1]
    # Instrumented modules report the branches each input takes, so that the fuzzer keeps
    # the inputs that reach new code of the platform. Django's setup imports the apps, so
    # it runs inside the hook too.
    with atheris.instrument_imports(include=["admissions"]):
        _setup_django()
        one = {"intake": intake_target, "pdfscan": pdfscan_target, "camt053": camt053_target}[
            target
        ]()
    atheris.Setup([argv[0], *argv[2:]], one)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)
