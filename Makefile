# The two commands: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
WECHAT_STANDIN_PORT ?= 8190

.PHONY: run serve test install install-dev migrate seed lint bench wrk screenshots browser clean

$(BIN)/activate:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade --quiet pip

$(VENV)/.installed: $(BIN)/activate requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt requirements-interop.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	$(BIN)/pip install --quiet --no-deps -r requirements-interop.txt
	touch $@

## the pinned map and chart libraries (themes/vendor.json) from the npm registry, once (docs/frontend.md)
install: $(VENV)/.installed
	$(PY) manage.py compile_translations
	$(PY) manage.py vendor_assets

install-dev: $(VENV)/.installed-dev
	$(PY) manage.py compile_translations
	$(PY) manage.py vendor_assets

migrate: install
	$(PY) manage.py migrate --noinput

## the Sites follow the port the portal is served on (links between sites carry it: portal/core/links.py)
seed: migrate
	PORTAL_SITE_PORT=$(PORT) $(PY) manage.py seed_demo
	PORTAL_SITE_PORT=$(PORT) $(PY) manage.py follow_site_port

## make run: install, migrate, seed the demo city once, serve on http://$(HOST):$(PORT) and every <slug>.localhost:$(PORT)
## (a background-task worker runs beside the server and stops with it)
run: seed
	PORTAL_SITE_PORT=$(PORT) $(PY) manage.py db_worker --batch --queue-name '*' >/dev/null
	@echo "City portal: http://localhost:$(PORT)/   a community: http://cuiyuan.localhost:$(PORT)/   admin: http://localhost:$(PORT)/admin/"
	@PORTAL_SITE_PORT=$(PORT) $(PY) manage.py db_worker --queue-name '*' --no-startup-delay & worker=$$!; \
	$(PY) manage.py wechat_standin --port $(WECHAT_STANDIN_PORT) & standin=$$!; \
	trap 'kill $$worker $$standin 2>/dev/null' EXIT INT TERM; \
	PORTAL_SITE_PORT=$(PORT) $(PY) manage.py runserver $(HOST):$(PORT)

## Debian's Chromium for the browser tests (never a downloaded browser), and CJK fonts for its screenshots
browser:
	@{ test -x /usr/bin/chromium && fc-list :lang=zh | grep -q .; } || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else echo "Browser tests need Debian's chromium and CJK fonts: sudo apt-get install chromium fonts-noto-cjk"; exit 1; fi; }

## make test: the whole suite (SQLite and in-memory layers unless DATABASE_URL / REDIS_URL are set),
## in parallel: one pytest-xdist worker per CPU core plus one, since workers wait on PostgreSQL, servers and the
## browser about a third of the time (TEST_WORKERS=auto for one per core; TEST_WORKERS=0 runs it in one
## process), each with its own test database, Redis key prefixes and media folder (docs/testing.md).
## The browser tests stay together on one worker (--dist loadgroup): one demo server, one Chromium.
## A model change without its migration fails tests/test_migrations.py (makemigrations --check, in the suite).
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print((os.cpu_count() or 1) + 1)')
test: install-dev browser
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

## Debian's wrk HTTP load generator for the benchmarks
wrk:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; \
	  else echo "The benchmarks need wrk: sudo apt-get install wrk (Debian/Ubuntu) or brew install wrk (macOS)"; exit 1; fi; }

## make bench: 700 communities, gunicorn, wrk; writes docs/performance.md (BENCH_ARGS="--seconds 20" etc.)
bench: install-dev wrk
	$(PY) -m tests.benchmarks.run $(BENCH_ARGS)
	$(PY) -m tests.benchmarks.admin_pages  # the admin at 700 communities against 6 (issue 20)
	$(PY) -m tests.benchmarks.forum_thread --seconds 5
	$(PY) -m tests.benchmarks.microblog_feed --posts 100000 --seconds 5
	$(PY) -m tests.benchmarks.api --seconds 10  # the notices API and Open311 GET requests against /healthz
	$(PY) -m tests.benchmarks.bench_votes 1000
	$(PY) -m tests.benchmarks.bench_poll --seconds 300  # a city-wide poll: 100 responses/s for 5 minutes (PostgreSQL)
	$(PY) -m tests.benchmarks.page_floor  # each public page type against a bare Wagtail page, 700 communities
	$(PY) -m tests.benchmarks.city_home /tmp/portal-floor-700  # the city home against a community home (seeds 700 communities there once)
	$(PY) -m tests.benchmarks.live_tally  # needs REDIS_URL (the channel layer between processes)
	$(PY) -m tests.benchmarks.search --posts 100000  # needs DATABASE_URL on PostgreSQL
	$(PY) -m tests.benchmarks.wechat --seconds 5  # safe-mode WeChat keyword replies against /healthz
	$(PY) -m tests.benchmarks.insights_dashboard  # needs DATABASE_URL on PostgreSQL; --complaints 100000 for a quick run

screenshots: install-dev browser
	$(BIN)/pytest -q tests/browser -k screenshots --screenshots

clean:
	rm -rf $(VENV) db.sqlite3* static_collected themes/static/vendor
