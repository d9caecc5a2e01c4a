# make run: the embedded default (SQLite, database search, in-process jobs, offline payments).
# make test: real PostgreSQL, Redis, Elasticsearch and stripe-mock, started by scripts/services.sh.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

export TEST_DATABASE_URL ?= postgresql+psycopg://huanxin@127.0.0.1:5432/huanxin_test
export TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
export TEST_ELASTICSEARCH_URL ?= http://127.0.0.1:9200
export TEST_STRIPE_API_BASE ?= http://127.0.0.1:12111

.PHONY: run test services stop-services lint bench

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime
	$(FLASK) migrate
	$(FLASK) seed --if-empty
	HOST=$(HOST) PORT=$(PORT) $(FLASK) serve

services:
	bash scripts/services.sh up

stop-services:
	bash scripts/services.sh stop

test: $(VENV)/.dev services
	$(PY) -m pytest -p no:cacheprovider --cov --cov-branch --cov-report=term:skip-covered
	@for pkg in services subsidies search; do \
	  total=$$($(VENV)/bin/coverage report --include="$$pkg/*" --fail-under=90 --format=total) \
	    || { echo "branch coverage of $$pkg/ is $$total%, below 90%"; exit 1; }; \
	  echo "branch coverage of $$pkg/: $$total%"; done
	$(PY) -m pytest -p no:cacheprovider --db sqlite -q

lint:
	$(VENV)/bin/lint-imports
