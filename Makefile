# 督察通: the commands a developer needs. `make help` lists them.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
FLASK := $(VENV)/bin/flask
export FLASK_APP := wsgi.py

.DEFAULT_GOAL := help
.PHONY: help run test lint fmt translations messages venv dev-venv migration clean-venv bench

help: ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  make %-13s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(PIP) install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

dev-venv: $(VENV)/.dev-installed

translations: venv ## compile the translation catalogues (.po → .mo)
	$(VENV)/bin/pybabel compile -d translations

messages: dev-venv ## extract the UI strings and update the English catalogue (then translate the new ones)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k authorize:2 -o translations/messages.pot \
		--ignore-dirs=".* __pycache__ .venv venv test-artifacts bench node_modules instance migrations static tests translations" .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations -l en --no-fuzzy-matching

run: venv translations ## set up, migrate, load demo data if empty, serve on http://127.0.0.1:5000 with one job worker
	$(FLASK) db upgrade
	$(FLASK) seed demo
	@# One job worker (exports, reminders) beside the web server, stopped with it.
	$(FLASK) jobs worker --workers 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port $(or $(port),5000)

# The suite runs on every core (pytest-xdist; PYTEST_WORKERS=0 runs it in one process). Each worker has
# its own SQLite file or PostgreSQL database (test → test_gw0, test_gw1 …, created on first use).
PYTEST_WORKERS ?= auto
PYTEST := $(VENV)/bin/pytest -q -n $(PYTEST_WORKERS) --dist loadscope

test: dev-venv translations ## run the whole test suite (SQLite; PostgreSQL too when TEST_DATABASE_URL is set)
	@# With PostgreSQL as well, the browser tests run once, on PostgreSQL (the database a deployment uses).
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== 测试：SQLite（浏览器测试在 PostgreSQL 上运行） =="; \
		$(PYTEST) -m "not e2e" && \
		echo "== 测试：PostgreSQL ($$TEST_DATABASE_URL) =="; \
		TEST_DB=postgres $(PYTEST); \
	else \
		echo "== 测试：SQLite =="; \
		$(PYTEST) && \
		echo "TEST_DATABASE_URL 未设置：只在 SQLite 上运行了测试（PostgreSQL 未测试）。"; \
	fi

lint: dev-venv ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: dev-venv ## format the code with ruff
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: venv translations ## benchmark each page as its role against the ceiling by CPU per request (wrk), then the export jobs (city scale SQLite in /tmp; by hand)
	$(PY) bench/build_data.py --scale $(or $(scale),city)
	$(PY) bench/run.py --scale-label $(or $(scale),city) --out bench/RESULTS$(if $(findstring postgres,$(DATABASE_URL)),_pg).md
	$(PY) bench/exports.py --scale-label $(or $(scale),city) --out bench/RESULTS$(if $(findstring postgres,$(DATABASE_URL)),_pg).md

migration: dev-venv ## autogenerate a migration from model changes: make migration m="what changed"
	$(FLASK) db migrate -m "$(m)"

clean-venv:
	rm -rf $(VENV)
