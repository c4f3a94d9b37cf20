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

# The task worker (`manage.py run_worker`) under a restart loop: it rides out a database outage by
# itself, and if it dies anyway (out of memory, a crash) it is started again 2 s later. Killing the
# loop (TERM, as `run` and `serve` do on exit) stops the worker with it.
worker_loop = ( trap 'kill $$child 2>/dev/null; exit 0' TERM; \
	while :; do $(BIN)/python manage.py run_worker $(1) & child=$$!; wait $$child; \
	echo "The task worker stopped (exit $$?); starting it again in 2 s." >&2; sleep 2; done )

run: install messages db ## install, migrate, load the demo and serve on 127.0.0.1:$(PORT) with a task worker
	$(BIN)/python manage.py load_demo
	@echo "Serving on http://127.0.0.1:$(PORT)/  (English: http://127.0.0.1:$(PORT)/en/)"
	@$(call worker_loop,--no-startup-delay) & worker=$$!; \
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
# cut to what the pages write: Latin letters, the Persian alphabet with the Arabic letters a pasted name
# may carry, both sets of digits, the marks and punctuation of both languages; the shaping features
# (joining forms, marks, kerning, ligatures) and the weights the CSS uses (400-800): 36 KB instead of
# 111 KB on a phone's thin link. Any other letter falls back to the phone's own font. The result is
# committed; run this after changing the font, the letters or the weights.
FONT_LETTERS := U+0020-007E,U+00A0,U+00AB,U+00B0,U+00B2,U+00B7,U+00BB,U+00D7,U+00F7,\
	U+060C,U+061B,U+061F,U+0621-063A,U+0640-0655,U+0660-066C,U+0670,U+067E,U+0686,U+0698,U+06A9,U+06AF,\
	U+06C0,U+06CC,U+06F0-06F9,U+200C-200F,U+2010-2027,U+2030,U+2039-203A,U+2066-2069,U+2190-2195,U+2212,\
	U+2248,U+2264-2265,U+25CC
font: install
	$(BIN)/python -m pip install --quiet --group font
	$(BIN)/pyftsubset data/fonts/Vazirmatn-Variable.woff2 --unicodes="$(FONT_LETTERS)" \
		--flavor=woff2 --output-file=$(VENV)/font-subset.woff2
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
	@$(call worker_loop,) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn bazaarche.wsgi --bind $${BIND:-127.0.0.1:$(PORT)} --workers $${WEB_CONCURRENCY:-3} \
		--worker-class gthread --threads $${THREADS:-8} \
		--timeout 60 --access-logfile $${ACCESS_LOG:--}
