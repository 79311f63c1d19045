# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
TOOLS := var/tools
HOST ?= 127.0.0.1
PORT ?= 8000
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
MANAGE := $(PY) -m admissions.manage

.PHONY: run test install install-dev lint typecheck pytest pytest-sqlite pytest-postgres migrate demo serve format clean messages

$(TOOLS)/bin/uv:
	@mkdir -p var
	$(PYTHON) -m venv $(TOOLS) || { echo "Python's venv module is missing: apt-get install python3-venv"; exit 1; }
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==0.13.9"

$(PY): | $(UV)
	$(UV) venv --quiet --python $(PYTHON) $(VENV)

install: $(PY) | $(UV)
	$(UV) pip sync --quiet --python $(PY) requirements/main.txt
	$(UV) pip install --quiet --python $(PY) --no-deps -e .

install-dev: $(PY) | $(UV)
	$(UV) pip sync --quiet --python $(PY) requirements/dev.txt
	$(UV) pip install --quiet --python $(PY) --no-deps -e .

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

pytest-sqlite:
	$(PY) -m pytest -p no:cacheprovider

pytest-postgres:
	$(PY) -m pytest -p no:cacheprovider --database=postgres

test: install-dev lint typecheck pytest-sqlite pytest-postgres

format:
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages:
	cd src/admissions && ../../$(MANAGE) makemessages -l fr -l en --no-obsolete && ../../$(MANAGE) compilemessages

clean:
	rm -rf $(VENV) var
