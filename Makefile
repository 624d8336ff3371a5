# Two commands on a fresh machine: `make run` (serve the seeded demo) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
JS_STAMP := node_modules/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo's eBay is the local fake (fake_ebay): its app keys and URL, so "Connect with eBay" works.
EBAY_FAKE_ENV := EBAY_CLIENT_ID=FakeSell-fulfilmen-PRD-0a1b2c3d4-e5f6a7b8 EBAY_CLIENT_SECRET=PRD-fake0secret0123-4567-89ab \
	EBAY_RU_NAME=Fulfillment_Hub-FakeSell-fulfil-abcdef EBAY_API_BASE=http://127.0.0.1:8766

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
	@# The local fake Shopify sends the demo shop a new order every 20 s while the demo runs.
	$(BIN)/python manage.py fake_shop --demo --base http://$(HOST):$(PORT) --port 0 --every 20 & \
	$(BIN)/python manage.py fake_ebay --demo --base http://$(HOST):$(PORT) --every 60 & \
	trap 'kill $$(jobs -p) 2>/dev/null' EXIT INT TERM; \
	$(EBAY_FAKE_ENV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

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
