# Bazaarche: `make run` installs, builds the SQLite database, loads the demo and serves it;
# `make test` runs the whole suite. Nothing to do by hand first.

PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
# The first interpreter that is Python 3.12 or newer (pyenv resolves python3 through .python-version).
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$p; break; }; \
	done)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install messages db demo chromium lint check-deploy clean font

run: install messages db ## install, migrate, load the demo and serve on 127.0.0.1:$(PORT) with a task worker
	$(BIN)/python manage.py load_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (English: http://127.0.0.1:$(PORT)/en/)"
	@$(BIN)/python manage.py db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install messages chromium ## run the whole suite (SQLite; PostgreSQL when DATABASE_URL is set)
	$(BIN)/pytest

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@if [ -z "$(PYTHON)" ]; then \
		echo "Bazaarche needs Python 3.12 or newer, and none was found (python3 is $$(python3 --version 2>&1))."; \
		echo "Install Python 3.12+ (for example: pyenv install 3.13) and run make again."; exit 1; fi
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then rm -rf $(VENV); fi
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet --group dev
	@touch $@

messages: install ## compile the translation catalogues (needs GNU gettext's msgfmt)
	@command -v msgfmt >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq gettext; }
	@$(BIN)/python manage.py compilemessages --ignore=.venv -v 0

db: install ## create or update the SQLite database
	$(BIN)/python manage.py migrate --no-input -v 0

demo: db
	$(BIN)/python manage.py load_demo

chromium: ## Debian's Chromium for the browser tests (never a downloaded browser)
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

# The web font as pages load it: Vazirmatn (OFL, npm package `vazirmatn`, kept whole in data/fonts/)
# cut to Latin, Persian and Arabic letters, digits and punctuation, and to the weights the CSS uses
# (400-800): 58 KB instead of 111 KB on a phone's thin link. The result is committed; run this
# after changing the font or the weights.
FONT_LETTERS := U+0020-007E,U+00A0-00FF,U+0600-06FF,U+200C-200F,U+2010-203A,U+2066-2069,U+2190-2195,U+2212,U+2248,U+2264-2265,U+25CC
font: install
	$(BIN)/python -m pip install --quiet --group font
	$(BIN)/pyftsubset data/fonts/Vazirmatn-Variable.woff2 --unicodes="$(FONT_LETTERS)" \
		--layout-features='*' --flavor=woff2 --output-file=$(VENV)/font-subset.woff2
	$(BIN)/fonttools varLib.instancer $(VENV)/font-subset.woff2 wght=400:800 -q \
		-o static/fonts/Vazirmatn-Variable.woff2

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-deploy: install
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-enough-secret-key-for-the-check \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles db.sqlite3

# --- serve: production-style run (docs/deploy.md) ---
.PHONY: serve
serve: install messages ## gunicorn + the task worker against $DATABASE_URL and $REDIS_URL (see docs/deploy.md)
	@[ -n "$$DATABASE_URL" ] || { echo "make serve needs DATABASE_URL (PostgreSQL) and REDIS_URL; see docs/deploy.md"; exit 2; }
	@[ -n "$$REDIS_URL" ] || echo "REDIS_URL is not set: each gunicorn worker keeps its own cache and sign-in limits."
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py collectstatic --no-input -v 0
	@$(BIN)/python manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn bazaarche.wsgi --bind $${BIND:-127.0.0.1:$(PORT)} --workers $${WEB_CONCURRENCY:-3} \
		--worker-class gthread --threads $${THREADS:-8} \
		--timeout 60 --access-logfile $${ACCESS_LOG:--}
