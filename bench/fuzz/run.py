"""Long fuzzing runs of every target (`make fuzz`), findings kept for a person to read.

    .venv/bin/python bench/fuzz/run.py [--seconds 600] [--targets intake,camt053]
                                       [--corpus DIR ...] [--jobs 1]

For each target of tests/fuzz/harness.py: the seeds of tests/fuzz/seeds.py and any
`--corpus` folder (public sample files, read only) start a run of `--seconds`; the inputs
the fuzzer finds worth keeping go to var/fuzz/<target>/corpus/, kept from one run to the
next so that each run starts where the last stopped; findings (crash-, timeout-, oom-
files) to var/fuzz/<target>/findings/. A summary is printed and written to
var/fuzz/SUMMARY.md. The exit status is 1 when any target has a finding.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.fuzz.harness import TARGETS  # noqa: E402 - after the path is set
from tests.fuzz.seeds import SEEDS  # noqa: E402

OUT = ROOT / "var" / "fuzz"


def run(target: str, seconds: int, corpora: list[Path]) -> tuple[int, list[Path], str]:
    work = OUT / target
    corpus, findings, seeds = work / "corpus", work / "findings", work / "seeds"
    for folder in (corpus, findings):
        folder.mkdir(parents=True, exist_ok=True)
    SEEDS[target](seeds)
    before = set(findings.iterdir())
    command = [
        sys.executable,
        "-m",
        "tests.fuzz.harness",
        target,
        f"-max_total_time={seconds}",
        "-rss_limit_mb=2048",
        "-timeout=30",
        "-print_final_stats=1",
        f"-artifact_prefix={findings}/",
        str(corpus),
        str(seeds),
        *(str(folder) for folder in extra_seeds(target, corpora)),
    ]
    environment = os.environ | {"PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    log = work / "last-run.log"
    with log.open("w", encoding="utf-8") as out:
        done = subprocess.run(
            command, cwd=ROOT, env=environment, stdout=out, stderr=out, check=False
        )
    new = sorted(set(findings.iterdir()) - before)
    return done.returncode, new, log.read_text(encoding="utf-8", errors="replace")


# The sub-folders of a folder of samples (pdf/, jpeg/, camt053/) each target reads.
KINDS = {"intake": ("pdf", "jpeg"), "pdfscan": ("pdf",), "camt053": ("camt053",)}


def extra_seeds(target: str, corpora: list[Path]) -> list[Path]:
    return [
        folder / kind for folder in corpora for kind in KINDS[target] if (folder / kind).is_dir()
    ]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=600, help="per target")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument(
        "--corpus", type=Path, action="append", default=[], help="a folder of extra samples"
    )
    options = parser.parse_args()
    now = dt.datetime.now(dt.UTC)
    lines = [f"# Fuzzing run of {now:%Y-%m-%d %H:%M} UTC, {options.seconds} s per target", ""]
    failed = False
    for target in options.targets.split(","):
        status, new, log = run(target, options.seconds, options.corpus)
        stats = [line for line in log.splitlines() if line.startswith(("stat::", "Done"))]
        corpus_size = len(list((OUT / target / "corpus").iterdir()))
        lines.append(f"## {target}: {'FINDINGS' if new or status else 'nothing found'}")
        lines.append(
            f"- exit status {status}, {corpus_size} inputs kept in var/fuzz/{target}/corpus/"
        )
        lines.extend(f"- {line}" for line in stats)
        lines.extend(f"- finding: var/fuzz/{target}/findings/{path.name}" for path in new)
        lines.append("")
        failed = failed or bool(new) or status != 0
    summary = "\n".join(lines)
    (OUT / "SUMMARY.md").write_text(summary, encoding="utf-8")
    print(summary)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
