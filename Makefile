# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := var/tools
HOST ?= 127.0.0.1
PORT ?= 8000
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
MANAGE := $(PY) -m admissions.manage
# Seconds a single test may take before it is reported as hung.
PYTEST_TIMEOUT ?= 300
# Test processes run side by side (pytest-xdist); each starts its own services and database.
PYTEST_WORKERS ?= 2
PYTEST := $(PY) -m pytest -p no:cacheprovider --timeout=$(PYTEST_TIMEOUT) -n $(PYTEST_WORKERS) --durations=20 $(PYTEST_ARGS)

.PHONY: run test install install-dev lint typecheck audit backup restore pytest pytest-sqlite pytest-postgres migrate demo serve format clean messages bench bench-deadline bench-exports bench-scale bench-cluster fuzz

$(TOOLS)/bin/uv:
	@mkdir -p var
	$(PYTHON) -m venv $(TOOLS) || { echo "Python's venv module is missing: apt-get install python3-venv"; exit 1; }
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"

$(PY): | $(UV)
	$(UV) venv --quiet --python $(PYTHON) $(VENV)

# Stamps make a second run skip the installs (and work offline) until a lock file changes.
# The runtime install adds to the environment, so `make run` keeps the test tools that
# `make test` installed; the development install syncs exactly to its lock file.
$(VENV)/.installed-main: requirements/main.txt pyproject.toml | $(PY) $(UV)
	$(UV) pip install --quiet --python $(PY) --require-hashes -r requirements/main.txt
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: requirements/dev.txt pyproject.toml | $(PY) $(UV)
	$(UV) pip sync --quiet --python $(PY) --require-hashes requirements/dev.txt
	$(UV) pip install --quiet --python $(PY) --no-deps -e .
	@touch $@ $(VENV)/.installed-main

install: $(VENV)/.installed-main

install-dev: $(VENV)/.installed-dev

migrate:
	$(MANAGE) migrate --no-input -v0

demo:
	$(MANAGE) load_rulebook src/admissions/rulebooks/imt-bs.toml
	$(MANAGE) load_rulebook src/admissions/rulebooks/imt-nord-europe.toml
	$(MANAGE) seed_demo

serve:
	$(MANAGE) collectstatic --no-input -v0
	$(MANAGE) serve --host $(HOST) --port $(PORT)

run: install migrate demo serve

lint:
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck:
	$(VENV)/bin/mypy src

# Known vulnerabilities of the runtime dependencies, from PyPI's advisory data (the OSV
# database). A dependency with a published advisory fails the target; one PyPI does not
# know (a private package) is listed as not audited.
AUDIT_REQUIREMENTS ?= requirements/main.txt

audit: install-dev
	$(VENV)/bin/pip-audit --disable-pip --no-deps --vulnerability-service pypi \
		--progress-spinner off --desc on -r $(AUDIT_REQUIREMENTS) $(AUDIT_ARGS)

pytest-sqlite:
	$(PYTEST)

pytest-postgres:
	$(PYTEST) --database=postgres

pytest: pytest-sqlite pytest-postgres

test: install-dev lint typecheck audit pytest-sqlite pytest-postgres

# The server of `make bench` runs from an environment with the runtime dependencies only,
# as production installs them (bytecode compiled, for the server's PYTHONOPTIMIZE=2 as well,
# docs/operations.md); the bench itself runs from the development one.
BENCH_VENV := var/bench-venv

$(BENCH_VENV)/.installed: requirements/main.txt pyproject.toml Makefile | $(UV)
	$(UV) venv --quiet --clear --python $(PYTHON) $(BENCH_VENV)
	$(UV) pip sync --quiet --compile-bytecode --python $(BENCH_VENV)/bin/python \
		--require-hashes requirements/main.txt
	$(BENCH_VENV)/bin/python -m compileall -q -j 0 -o 2 $(BENCH_VENV)/lib
	$(UV) pip install --quiet --python $(BENCH_VENV)/bin/python --no-deps -e .
	@touch $@

# Load on the served application, SQLite then PostgreSQL; writes bench/RESULTS.md (needs wrk).
bench: install-dev $(BENCH_VENV)/.installed
	$(PY) bench/load.py --server-venv $(BENCH_VENV) $(BENCH_ARGS)

# Deadline day: candidates uploading six 1 MB PDFs each and submitting, SQLite then
# PostgreSQL, clamd scanning; writes bench/RESULTS.md (needs wrk and clamd).
DEADLINE_ARGS ?= --candidates 64 --seconds 60
bench-deadline: install-dev $(BENCH_VENV)/.installed
	$(PY) bench/deadline.py --server-venv $(BENCH_VENV) $(DEADLINE_ARGS)

# The staff's list of files exported whole, CSV and XLSX, through the office's pages and the
# API, at 10,000 then 100,000 applications: time, CPU, statements and peak memory, each
# export in a fresh process; writes bench/RESULTS.md.
# make bench-exports [EXPORTS_ARGS="--applications 10000 100000 --throwaway-postgres"]
EXPORTS_ARGS ?=
bench-exports: install-dev
	$(PY) bench/exports.py $(EXPORTS_ARGS)

# The served figures at a million applications on a throw-away PostgreSQL cluster, beside
# the peer's: status page, staff queue (page and API), drafts, memory; writes
# bench/RESULTS.md (needs wrk). make bench-scale [BENCH_SCALE_ARGS="--applications 100000"]
bench-scale: install-dev $(BENCH_VENV)/.installed
	$(PY) bench/scale_load.py --server-venv $(BENCH_VENV) $(BENCH_SCALE_ARGS)

# The production layout on this machine (docs/production.md): nginx, two application
# processes, PostgreSQL, Redis, S3, two task workers and the scheduler on loopback, the load
# through nginx, one application process killed during it; writes bench/RESULTS.md (needs
# nginx and wrk). make bench-cluster [BENCH_CLUSTER_ARGS="--clients 8 --seconds 60"]
bench-cluster: install-dev $(BENCH_VENV)/.installed
	$(PY) bench/cluster.py --server-venv $(BENCH_VENV) $(BENCH_CLUSTER_ARGS)

# Coverage-guided fuzzing of the document intake, the PDF scan and the bank-statement
# reader (bench/fuzz/README.md): make fuzz [FUZZ_SECONDS=600] [FUZZ_CORPUS="dir ..."];
# findings and the growing corpus are kept in var/fuzz/.
FUZZ_SECONDS ?= 600
FUZZ_CORPUS ?=

fuzz: install-dev
	$(PY) bench/fuzz/run.py --seconds $(FUZZ_SECONDS) $(foreach dir,$(FUZZ_CORPUS),--corpus $(dir))

# The database and the documents in one archive, and back (docs/operations.md#backups).
# make backup [BACKUP=path/or/folder]; make restore BACKUP=archive.tar [FORCE=1]
backup: install
	$(MANAGE) backup $(if $(BACKUP),--output $(BACKUP))

restore: install
	@test -n "$(BACKUP)" || { echo "Name the archive: make restore BACKUP=var/backups/admissions-<time>.tar"; exit 2; }
	$(MANAGE) restore $(if $(FORCE),--force) $(BACKUP)
	$(MANAGE) migrate --no-input -v0

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages:
	cd src/admissions && ../../$(MANAGE) makemessages -l fr -l en --no-obsolete && ../../$(MANAGE) compilemessages

clean:
	rm -rf $(VENV) var
