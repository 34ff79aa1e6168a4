# lapor-gateway. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

# Demo secrets for `make run` only: placeholders that production refuses.
DEMO_ENV := \
	GATEWAY_LAMPUNG_NATIONAL_TOKEN=$${GATEWAY_LAMPUNG_NATIONAL_TOKEN:-demo-lampung-national-token} \
	GATEWAY_LAMPUNG_API_KEY=$${GATEWAY_LAMPUNG_API_KEY:-demo-lampung-api-key} \
	GATEWAY_KALSEL_NATIONAL_TOKEN=$${GATEWAY_KALSEL_NATIONAL_TOKEN:-demo-kalsel-national-token} \
	GATEWAY_KALSEL_API_KEY=$${GATEWAY_KALSEL_API_KEY:-demo-kalsel-api-key} \
	GATEWAY_KALSEL_LAPORPAMAN_WEBHOOK_SECRET=$${GATEWAY_KALSEL_LAPORPAMAN_WEBHOOK_SECRET:-demo-kalsel-laporpaman-secret} \
	GATEWAY_SUMBAR_NATIONAL_TOKEN=$${GATEWAY_SUMBAR_NATIONAL_TOKEN:-demo-sumbar-national-token} \
	GATEWAY_SUMBAR_API_KEY=$${GATEWAY_SUMBAR_API_KEY:-demo-sumbar-api-key} \
	GATEWAY_SUMBAR_TELEGRAM_BOT_TOKEN=$${GATEWAY_SUMBAR_TELEGRAM_BOT_TOKEN:-demo-sumbar-telegram-bot-token} \
	GATEWAY_SUMBAR_TELEGRAM_WEBHOOK_SECRET=$${GATEWAY_SUMBAR_TELEGRAM_WEBHOOK_SECRET:-demo-sumbar-telegram-secret} \
	GATEWAY_SUMBAR_WHATSAPP_PHONE_NUMBER_ID=$${GATEWAY_SUMBAR_WHATSAPP_PHONE_NUMBER_ID:-demo-sumbar-wa-phone-id} \
	GATEWAY_SUMBAR_WHATSAPP_ACCESS_TOKEN=$${GATEWAY_SUMBAR_WHATSAPP_ACCESS_TOKEN:-demo-sumbar-wa-token} \
	GATEWAY_SUMBAR_WHATSAPP_APP_SECRET=$${GATEWAY_SUMBAR_WHATSAPP_APP_SECRET:-demo-sumbar-wa-app-secret} \
	GATEWAY_SUMBAR_WHATSAPP_VERIFY_TOKEN=$${GATEWAY_SUMBAR_WHATSAPP_VERIFY_TOKEN:-demo-sumbar-wa-verify} \
	GATEWAY_SULBAR_NATIONAL_TOKEN=$${GATEWAY_SULBAR_NATIONAL_TOKEN:-demo-sulbar-national-token} \
	GATEWAY_SULBAR_API_KEY=$${GATEWAY_SULBAR_API_KEY:-demo-sulbar-api-key} \
	GATEWAY_SULBAR_WEBFORM_WEBHOOK_SECRET=$${GATEWAY_SULBAR_WEBFORM_WEBHOOK_SECRET:-demo-sulbar-webform-secret} \
	GATEWAY_SUMBAR_KANNEL_KEY=$${GATEWAY_SUMBAR_KANNEL_KEY:-demo-sumbar-kannel-key} \
	GATEWAY_SUMBAR_KANNEL_PASSWORD=$${GATEWAY_SUMBAR_KANNEL_PASSWORD:-demo-sumbar-kannel-password} \
	GATEWAY_SULBAR_SMS_SECRET=$${GATEWAY_SULBAR_SMS_SECRET:-demo-sulbar-sms-secret} \
	GATEWAY_SIJUNJUNG_NATIONAL_TOKEN=$${GATEWAY_SIJUNJUNG_NATIONAL_TOKEN:-demo-sijunjung-national-token} \
	GATEWAY_SIJUNJUNG_API_KEY=$${GATEWAY_SIJUNJUNG_API_KEY:-demo-sijunjung-api-key} \
	GATEWAY_KALSEL_LAPORPAMAN_DB_URL=$${GATEWAY_KALSEL_LAPORPAMAN_DB_URL:-sqlite:///var/laporpaman.db}

.PHONY: install run test lint typecheck pytest services system-packages sandbox screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	mkdir -p var
	$(DEMO_ENV) $(BIN)/gateway db upgrade
	$(BIN)/python -m adapters.webform.examples.demo var/laporpaman.db
	$(DEMO_ENV) $(BIN)/gateway serve --host $(HOST) --port $(PORT)

sandbox: install
	$(BIN)/gateway sandbox --port 8900 --db var/sandbox-standalone.db

# PostgreSQL and MariaDB run on this machine kind; start them if they are stopped.
services:
	@if command -v pg_ctlcluster >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start || true; \
	fi
	@if [ -x /usr/sbin/mariadbd ] && ! (echo > /dev/tcp/127.0.0.1/3306) 2>/dev/null; then \
		start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd || true; \
	fi

# Debian packages the tests drive: Kannel (bearerbox, smsbox; kannel-extras has its test
# tools), Gammu SMSD (its SQL schemas) and Chromium (the console's browser tests, driven
# by Playwright with executable_path /usr/bin/chromium: Playwright downloads no browser). Installed only when one of these files is
# missing; apt-get update runs only if the install fails. The services the packages start
# are stopped: the tests run their own Kannel on free ports.
SYSTEM_PACKAGES := kannel kannel-extras gammu-smsd chromium
SYSTEM_FILES := /usr/sbin/bearerbox /usr/sbin/smsbox /usr/lib/kannel/test/fakesmsc \
	/usr/bin/gammu-smsd /usr/share/doc/gammu-smsd/examples/sqlite.sql /usr/bin/chromium
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends

system-packages:
	@missing=; for f in $(SYSTEM_FILES); do [ -e "$$f" ] || missing="$$missing $$f"; done; \
	if [ -n "$$missing" ]; then \
		sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
		echo "installing $(SYSTEM_PACKAGES) (missing:$$missing)"; \
		$$sudo env $(APT_INSTALL) $(SYSTEM_PACKAGES) \
			|| { $$sudo apt-get update -q && $$sudo env $(APT_INSTALL) $(SYSTEM_PACKAGES); } \
			|| exit 1; \
		for service in kannel gammu-smsd; do $$sudo service $$service stop >/dev/null 2>&1 || true; done; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy gateway adapters

pytest: install services system-packages
	$(BIN)/pytest

test: lint typecheck pytest

# The console's screenshots in the README, taken by its browser tests.
screenshots: install system-packages
	GATEWAY_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/browser -q

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
