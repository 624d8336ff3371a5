# Two commands on a fresh machine: `make run` (serve the seeded demo) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
JS_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint check-deploy worker beat clean

$(PY_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $@

$(JS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(PY_STAMP) $(JS_STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@# The local fake Shopify sends the demo shop a new order every 20 s while the demo runs; the local
	@# fake 17TRACK moves each shipped parcel a step every 30 s and pushes it, until it is delivered.
	$(BIN)/python manage.py fake_shop --demo --base http://$(HOST):$(PORT) --port 0 --every 20 & \
	$(BIN)/python manage.py fake_17track --demo --base http://$(HOST):$(PORT) --every 30 & \
	trap 'kill $$(jobs -p) 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

check-deploy: install
	DEBUG=false SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	ALLOWED_HOSTS=hub.example $(BIN)/python manage.py check --deploy --fail-level WARNING

worker: install
	$(BIN)/celery -A config worker --loglevel=info

beat: install
	$(BIN)/celery -A config beat --loglevel=info

clean:
	rm -rf $(VENV) node_modules var staticfiles .pytest_cache
