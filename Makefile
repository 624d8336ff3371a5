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

.PHONY: install fonts run test lint check-deploy worker beat clean

$(PY_STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $@

$(JS_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(PY_STAMP) $(JS_STAMP) fonts

# The TrueType fonts every PDF embeds (apps/documents/toolkit/faces.py): Debian packages, never kept in git.
# Installed when this user may (root, or sudo without a password); otherwise a warning says what to do.
FONT_PACKAGES := fonts-liberation2 fonts-noto-core fonts-dejavu-core fonts-wqy-zenhei fonts-ipafont-gothic
fonts:
	@if ! command -v dpkg >/dev/null 2>&1; then \
	  echo "WARNING: PDFs need the fonts of Debian's $(FONT_PACKAGES): install them or put" \
	    "their .ttf/.ttc files in a directory named by DOCUMENT_FONT_DIRS, or names in other scripts print as boxes."; \
	  exit 0; \
	fi; \
	missing=""; for p in $(FONT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	[ -z "$$missing" ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo"; else \
	  echo "WARNING: PDF fonts missing:$$missing. Run: sudo apt-get install$$missing"; exit 0; \
	fi; \
	echo "Installing PDF fonts:$$missing"; \
	{ $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null 2>&1 || \
	  { $$sudo apt-get update -qq && $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; }; } || \
	  echo "WARNING: could not install the PDF fonts:$$missing. Run: sudo apt-get install$$missing"

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	@# The local fakes send the demo shops new orders while the demo runs: Shopify every 20 s,
	@# WooCommerce every 30 s, eBay every 60 s (eBay's come in by the poll or Sync now); the local
	@# fake 17TRACK moves each shipped parcel a step every 30 s and pushes it, until it is delivered.
	$(BIN)/python manage.py fake_shop --demo --base http://$(HOST):$(PORT) --port 0 --every 20 & \
	$(BIN)/python manage.py fake_woocommerce --demo --base http://$(HOST):$(PORT) --port 0 --every 30 & \
	$(BIN)/python manage.py fake_ebay --demo --base http://$(HOST):$(PORT) --every 60 & \
	$(BIN)/python manage.py fake_17track --demo --base http://$(HOST):$(PORT) --every 30 & \
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
