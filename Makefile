# The two commands of the README: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
PORT ?= 8000
export FLASK_DEBUG ?= 0

.PHONY: run test install install-dev node messages translations init-db demo bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed node translations
install-dev: $(VENV)/.installed-dev node translations

# Front-end libraries come from npm through the lockfile; postinstall copies the few files the
# browser needs into static/vendor/ (ignored by git).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

node: $(if $(wildcard package.json),node_modules/.installed)

# Compile the gettext catalogs (.mo files are build output, not committed).
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d translations -f 2>&1 | grep -v '^compiling' || true

# Re-extract strings from Python, templates and the PWA's JavaScript into the catalogs.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _n:1,2 -o translations/messages.pot \
		--no-location --sort-output --omit-header --ignore-dirs='.venv node_modules' . >/dev/null
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching \
		--ignore-obsolete --no-wrap >/dev/null

# The secret key, the demo logins and the database are for this user's eyes only (umask 077:
# files 0600, instance/ 0700), on a machine other people may use too.
instance/.secret_key:
	umask 077; mkdir -p instance; chmod 700 instance
	umask 077; $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(48))' > $@

run: install instance/.secret_key
	umask 077; SECRET_KEY=$$(cat instance/.secret_key) $(FLASK) init-db
	@umask 077; if [ ! -f instance/demo-logins.txt ]; then SECRET_KEY=$$(cat instance/.secret_key) $(FLASK) seed-demo >/dev/null; fi
	@chmod 600 instance/.secret_key instance/demo-logins.txt instance/lwpwa.sqlite3* 2>/dev/null || true
	@echo; cat instance/demo-logins.txt; echo
	@echo "lwpwa is at http://127.0.0.1:$(PORT)/  (the volunteers' app: http://127.0.0.1:$(PORT)/app/)"
	@# Rate limits must be counted in one store for all workers: Redis when it answers.
	@# No nginx here: the app compresses its own answers (COMPRESS_RESPONSES), and gunicorn's
	@# settings (threaded workers, JSON protocol errors, a control socket of its own under
	@# instance/) come from lwpwa/serving.py.
	umask 077; SECRET_KEY=$$(cat instance/.secret_key) SESSION_COOKIE_SECURE=0 PREFERRED_URL_SCHEME=http \
		COMPRESS_RESPONSES=1 \
		RATELIMIT_STORAGE_URI=$${RATELIMIT_STORAGE_URI:-$$(redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && echo redis://127.0.0.1:6379/0 || echo memory://)} \
		$(BIN)/gunicorn -c python:lwpwa.serving --workers 4 --bind 127.0.0.1:$(PORT) --access-logfile - wsgi:app

# The whole suite, on SQLite; also on PostgreSQL when TEST_DATABASE_URL is set.
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks print figures (see README "Benchmarks"); they only ever talk to 127.0.0.1.
bench: install-dev
	$(BIN)/pip install --quiet -r requirements-bench.txt
	$(BIN)/python bench/sync_ingest.py
	$(BIN)/python bench/stats.py
	$(BIN)/python bench/report.py
	$(BIN)/python bench/pwa.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/login_timing.py

clean:
	rm -rf $(VENV) node_modules static/vendor .pytest_cache
