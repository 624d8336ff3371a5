"""Contracts that scripts and operators rely on (DESIGN §10): health, commands, deploy checks."""

import os
import subprocess
import sys
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import override_settings
from django_scopes import scopes_disabled

from apps.accounts.models import Customer, User
from apps.accounts.services import api_key_authenticate
from apps.catalog.models import Product
from apps.inventory.models import StockBalance, StockMove

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["broker"] == ("ok" if settings.REDIS_URL else "eager")


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "broker": "error"}


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_makes_the_contracted_logins(settings):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", "--quiet", stdout=StringIO())
    assert Customer.objects.filter(code="C10001", company_name__startswith="ACME").count() == 1
    assert Customer.objects.filter(code="C10002", company_name__startswith="Globex").count() == 1
    alice = User.objects.get(email="alice@acme.example")
    assert alice.customer.code == "C10001" and alice.check_password(settings.DEMO_PASSWORD)
    assert User.objects.get(email="bob@globex.example").customer.code == "C10002"
    for role in ("sales", "customer_service", "order_group", "warehouse", "logistics", "finance", "admin"):
        staff = User.objects.get(email=f"{role}@hub.example")
        assert staff.is_staff and staff.groups.filter(name=role).exists()
        assert f"{role}@hub.example" in out.getvalue()
    assert User.objects.get(email="admin@hub.example").is_superuser
    assert "alice@acme.example" in out.getvalue()
    with scopes_disabled():
        acme = Product.objects.filter(customer__code="C10001")
        assert acme.count() >= 20 and Product.objects.filter(customer__code="C10002").count() >= 10
        assert acme.filter(measured_weight_g__isnull=False).exists()
        before = (Product.objects.count(), StockMove.objects.count())
        assert StockBalance.objects.filter(customer__code="C10001", on_hand__gt=F("allocated")).count() >= 20
        assert StockBalance.objects.filter(on_hand=F("allocated"), on_hand__gt=0).exists()  # a sold-out SKU
    from apps.shipping.models import Channel, RateLine

    assert Channel.objects.filter(warehouse__code="LAX1").count() >= 5 and RateLine.objects.count() > 10
    from apps.warehouses.models import WarehouseZone
    from apps.warehouses.selectors import customer_default_warehouse

    for code in ("C10001", "C10002"):
        default = customer_default_warehouse(customer=Customer.objects.get(code=code))
        assert default.code == "LAX1" and default.default_marked
    assert WarehouseZone.objects.get(warehouse__code="NJ1", country="CA").rank == 1
    from apps.billing.models import Wallet, WalletEntry
    from apps.orders.models import Order

    with scopes_disabled():
        acme_wallet = Wallet.objects.get(customer__code="C10001")
        entries = WalletEntry.objects.filter(customer__code="C10001")
        assert entries.get(idempotency_key="demo:opening").amount == Decimal("1500.00")
        assert acme_wallet.balance == sum(e.amount for e in entries) and acme_wallet.balance >= acme_wallet.held
        states = set(Order.objects.values_list("status", flat=True))
        assert states == {"confirming", "abnormal", "pending_shipment", "shipped", "delivered", "cancelled", "returned"}
        before = (*before, Order.objects.count(), WalletEntry.objects.count())
    call_command("seed_demo", "--quiet", stdout=StringIO())
    with scopes_disabled():
        assert (
            Product.objects.count(),
            StockMove.objects.count(),
            Order.objects.count(),
            WalletEntry.objects.count(),
        ) == before


@pytest.mark.django_db
def test_seed_demo_refuses_production_settings_unless_forced():
    with override_settings(ALLOW_DEMO_SEED=False):
        with pytest.raises(CommandError, match="production"):
            call_command("seed_demo", stdout=StringIO())
        call_command("seed_demo", "--force", "--quiet", stdout=StringIO())
    assert Customer.objects.filter(code="C10001").exists()


@pytest.mark.django_db
def test_create_api_key_prints_only_the_key(user_a):
    out = StringIO()
    call_command("create_api_key", user_a.email, "--name", "ci", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1
    check = api_key_authenticate(raw_key=lines[0])
    assert check.api_key.name == "ci" and check.api_key.customer_id == user_a.customer_id


@pytest.mark.django_db
def test_create_api_key_refuses_staff_and_unknown_users(make_staff):
    with pytest.raises(CommandError, match="staff user"):
        call_command("create_api_key", make_staff("admin").email, stdout=StringIO())
    with pytest.raises(CommandError, match="No user"):
        call_command("create_api_key", "nobody@nowhere.example", stdout=StringIO())


def test_check_deploy_is_clean_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "TESTING", "ALLOW_DEMO_SEED")}
    env.update(
        DEBUG="false",
        SECRET_KEY="x" * 20 + "-production-secret-with-enough-entropy-0123456789",
        ALLOWED_HOSTS="hub.example",
        TESTING="false",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_need_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "TESTING")}
    env.update(DEBUG="false", TESTING="false")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
