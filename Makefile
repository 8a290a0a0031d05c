# Docket's one task runner. `make demo` and `make test` set up everything they need first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup debian demo test check lint typecheck pytest bench lock messages clean

setup: debian $(STAMP)

debian:
	@sh scripts/debian-packages.sh

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: setup
	@sh scripts/demo.sh

test: setup lint typecheck pytest

# The inner loop: lint and the suite without the browser, served-process, benchmark and slow
# tests (all of which `make test` runs).
check: setup lint
	$(BIN)/pytest -q -m "not browser and not served and not bench and not slow"

lint: setup
	$(BIN)/ruff format --check docket tests bench scripts
	$(BIN)/ruff check docket tests bench scripts

typecheck: setup
	$(BIN)/mypy docket

pytest: setup
	$(BIN)/pytest

bench: setup
	$(BIN)/docket bench ingest
	$(BIN)/docket bench verify --clean
	$(BIN)/docket bench names

# Regenerate the lock file after changing dependencies in pyproject.toml.
lock:
	$(BIN)/pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --extra dev \
		-o requirements.lock pyproject.toml

# After changing a marked string: refresh the be/ru catalogues, translate what is new (the
# tests fail while anything is untranslated), then compile them (docs/translating.md).
messages: setup
	cd docket && DJANGO_SETTINGS_MODULE=docket.settings ../$(BIN)/django-admin makemessages \
		-l be -l ru --no-location --no-obsolete
	cd docket && DJANGO_SETTINGS_MODULE=docket.settings ../$(BIN)/django-admin compilemessages

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
