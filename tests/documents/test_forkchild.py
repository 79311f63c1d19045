"""The PDF scan's child process does not run the web server's main script again."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A main script with a side effect at import, as a server's command has (granian's imports
# its whole command line): each run of its top level leaves a line in the file.
MAIN = """
import io, os, sys
with open(sys.argv[1], "a", encoding="ascii") as runs:
    runs.write(f"{os.getpid()}\\n")

def main():
    sys.path.insert(0, sys.argv[2])
    from tests.documents import corpus
    from admissions.documents.pdfcheck import inspect_pdf

    for _ in range(3):
        assert inspect_pdf(io.BytesIO(corpus.pdf(pages=1)), max_pages=None).pages == 1

if __name__ == "__main__":
    main()
"""


def test_checking_pdfs_does_not_import_the_main_script_again(tmp_path: Path) -> None:
    script, runs = tmp_path / "server.py", tmp_path / "runs.txt"
    script.write_text(MAIN, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script), str(runs), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    # Once, by the script itself: neither the fork server nor the three children ran it.
    assert len(runs.read_text(encoding="ascii").split()) == 1
