# eventsys: `make run` serves the demo on http://localhost:5000; `make test` runs
# the linters and the whole suite on SQLite and on a throw-away PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
TRANSLATIONS := eventsys/translations
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))
PORT ?= 5000
# Build tools pinned to known versions (the same pins as [build-system] in pyproject.toml;
# a test checks that the two agree). Raise them together, on purpose.
BUILD_TOOLS := pip==26.3 setuptools==84.2.1 wheel==0.48.0

.PHONY: run test test-sqlite test-postgres lint audit format translations messages install clean fake-stripe

install: $(STAMP)

$(STAMP): pyproject.toml scripts/bootstrap.sh
	scripts/bootstrap.sh "$(PYTHON)" "$(VENV)"
	scripts/ensure-pdf-libraries.sh
	$(BIN)/pip install --quiet $(BUILD_TOOLS)
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Compiled catalogues are built, never committed.
translations: $(STAMP) $(MO_FILES)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

# After changing user-facing text: extract, merge into nb/en, then translate the .po files.
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o $(TRANSLATIONS)/messages.pot --sort-by-file --no-location --omit-header .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

# The mail worker runs beside gunicorn and stops with it.
run: install translations
	$(FLASK) db upgrade
	$(FLASK) eventsys demo
	$(FLASK) eventsys worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Known vulnerabilities in the installed packages fail; without the vulnerability
# service (offline) the audit is skipped with a message (scripts/audit.py).
audit: $(STAMP)
	$(BIN)/python scripts/audit.py

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test-sqlite: install translations
	scripts/ensure-chromium.sh
	scripts/ensure-pdf-libraries.sh
	$(BIN)/pytest

test-postgres: install translations
	scripts/ensure-chromium.sh
	scripts/ensure-pdf-libraries.sh
	@url=$$(scripts/pgtest.sh start) || exit 1; \
	TEST_DATABASE_URL="$$url" $(BIN)/pytest; status=$$?; \
	scripts/pgtest.sh stop; exit $$status

test: lint audit test-sqlite test-postgres

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find . -name '*.mo' -delete

# A fake Stripe for a local card-payment demo (see README, "Card payments in the demo").
fake-stripe: $(STAMP)
	$(BIN)/python -m tests.fakestripe --port 12111 --webhook-url http://localhost:$(PORT)/stripe/webhook
