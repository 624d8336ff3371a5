"""Connections: secrets encrypted at rest and rotatable keys, the connect command, and the orders
that wait for an unmapped item getting it once it is mapped."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection as db
from django.test import override_settings

from apps.catalog.services import product_create
from apps.core.errors import ValidationFailed
from apps.core.tenancy import customer_scope
from apps.integrations.choices import EventStatus
from apps.integrations.errors import SecretsUnavailable
from apps.integrations.inbox import event_process
from apps.integrations.mapping import sku_map
from apps.integrations.models import Connection, PlatformEvent, SkuMapping, WaitingLine
from apps.integrations.services import connection_create, webhook_receive
from apps.orders.choices import OrderStatus
from apps.orders.models import Order
from apps.orders.rules import recipient_of
from apps.orders.services import OrderData, order_update

from .conftest import SECRET, TOKEN, body_of, shopify_order_payload, signed


def raw_row(pk) -> tuple[str, str]:
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT credentials_encrypted, webhook_secret_encrypted FROM integrations_connection WHERE id = %s", [pk]
        )
        return cursor.fetchone()


def test_credentials_are_not_readable_in_the_database_row(shop):
    connection, _ = shop
    credentials, secret = raw_row(connection.pk)
    assert TOKEN not in credentials and SECRET not in secret
    assert credentials.startswith("gAAAAA") and secret.startswith("gAAAAA")  # Fernet tokens
    with customer_scope(connection.customer):
        fresh = Connection.objects.get(pk=connection.pk)
    assert fresh.credentials() == {"access_token": TOKEN}
    assert fresh.webhook_secret() == SECRET
    assert TOKEN not in repr(fresh) and TOKEN not in str(fresh)


def test_key_rotation_old_key_still_decrypts(user_a):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(INTEGRATION_KEYS=[old]), customer_scope(user_a.customer):
        connection = connection_create(
            actor=user_a, platform="shopify", shop_domain="rot.myshopify.com", webhook_secret="s1", token="t1"
        )
    with override_settings(INTEGRATION_KEYS=[new, old]), customer_scope(user_a.customer):
        loaded = Connection.objects.get(pk=connection.pk)
        assert loaded.credentials() == {"access_token": "t1"}  # written under the old key
        loaded.set_webhook_secret("s2")  # written under the new one
        loaded.save()
    with override_settings(INTEGRATION_KEYS=[new]), customer_scope(user_a.customer):
        loaded = Connection.objects.get(pk=connection.pk)
        assert loaded.webhook_secret() == "s2"
        with pytest.raises(SecretsUnavailable):
            loaded.credentials()  # the old key is gone and this secret was never re-encrypted


@override_settings(INTEGRATION_KEYS=[], DEBUG=False, TESTING=False)
def test_production_without_keys_refuses_to_encrypt(user_a):
    from django.core.exceptions import ImproperlyConfigured

    with customer_scope(user_a.customer), pytest.raises(ImproperlyConfigured, match="INTEGRATION_KEYS"):
        connection_create(actor=user_a, platform="shopify", shop_domain="p.myshopify.com", webhook_secret="s")


def test_integration_connect_prints_the_id_alone(user_a):
    out = io.StringIO()
    call_command(
        "integration_connect",
        user_a.email,
        "shopify",
        "--shop",
        "https://Demo-Store.myshopify.com/",
        "--webhook-secret",
        "whsec",
        "--api-base",
        "http://127.0.0.1:8765",
        "--token",
        "shpat_x",
        stdout=out,
    )
    printed = out.getvalue()
    assert printed.strip().isdigit() and printed.count("\n") == 1
    with customer_scope(user_a.customer):
        connection = Connection.objects.get(pk=int(printed))
    assert (connection.shop_domain, connection.api_base, connection.display_name) == (
        "demo-store.myshopify.com",
        "http://127.0.0.1:8765",
        "demo-store",
    )
    assert connection.webhook_secret() == "whsec"
    assert "shpat_x" not in printed


def test_integration_connect_refuses_clearly(user_a, make_staff):
    with pytest.raises(CommandError, match="No user"):
        call_command(
            "integration_connect", "nobody@x.example", "shopify", "--shop", "a.myshopify.com", "--webhook-secret", "s"
        )
    with pytest.raises(CommandError, match="Give --token"):  # eBay: tokens, or the seller's consent in the portal
        call_command("integration_connect", user_a.email, "ebay")
    with pytest.raises(CommandError, match="Give --shop"):
        call_command("integration_connect", user_a.email, "shopify", "--webhook-secret", "s")
    with pytest.raises(CommandError, match="consumer key"):
        call_command("integration_connect", user_a.email, "woocommerce", "--shop", "shop.example", "--key", "x")
    call_command(
        "integration_connect",
        user_a.email,
        "shopify",
        "--shop",
        "a.myshopify.com",
        "--webhook-secret",
        "s",
        stdout=io.StringIO(),
    )
    with pytest.raises(CommandError, match="already connected"):
        call_command(
            "integration_connect", user_a.email, "shopify", "--shop", "a.myshopify.com", "--webhook-secret", "s"
        )


def test_connection_create_checks_its_input(user_a):
    with customer_scope(user_a.customer):
        with pytest.raises(ValidationFailed, match="shop's domain"):
            connection_create(actor=user_a, platform="shopify", shop_domain="not a domain", webhook_secret="s")
        with pytest.raises(ValidationFailed, match="signing secret"):
            connection_create(actor=user_a, platform="shopify", shop_domain="a.myshopify.com", webhook_secret=" ")
        with pytest.raises(ValidationFailed, match="http"):
            connection_create(
                actor=user_a, platform="shopify", shop_domain="a.myshopify.com", webhook_secret="s", api_base="ftp://x"
            )


def test_mapping_the_item_gives_the_waiting_order_its_line_once(shop, user_a, django_capture_on_commit_callbacks):
    connection, products = shop
    items = [{"id": 903, "sku": "HAT-RED", "variant_id": 44003, "quantity": 2, "title": "Red hat"}]
    body = body_of(shopify_order_payload(line_items=items))
    with customer_scope(connection.customer):
        with django_capture_on_commit_callbacks(execute=True):
            event, created = webhook_receive(connection=connection, headers=signed(body), body=body)
        event.refresh_from_db()
        assert created and event.status == EventStatus.PROCESSED and event.attempts == 1
        order = Order.objects.get()
        assert order.status == OrderStatus.ABNORMAL and not order.lines.exists()
        mapping = SkuMapping.objects.get(platform_sku="HAT-RED")
        result = sku_map(actor=user_a, connection=connection, mapping=mapping, product=products["MUG"])
        assert (result.retried, result.waiting, result.problems) == (1, 0, [])
        order.refresh_from_db()
        assert order.status == OrderStatus.CONFIRMING
        assert [(line.product.sku, line.quantity) for line in order.lines.all()] == [("MUG", 2)]
        assert not WaitingLine.objects.exists()
        assert sku_map(actor=user_a, connection=connection, mapping=mapping, product=products["MUG"]).retried == 0
        event_process(event_id=event.pk)  # the same message again changes nothing
        assert Order.objects.count() == 1 and order.lines.count() == 1
        assert PlatformEvent.objects.get().attempts == 1


def test_mapping_after_the_order_was_edited_by_hand_adds_nothing_and_says_so(shop, user_a):
    connection, products = shop
    items = [
        {"id": 902, "sku": "MUG", "variant_id": 44002, "quantity": 1, "title": "Mug"},
        {"id": 903, "sku": "HAT-RED", "variant_id": 44003, "quantity": 2, "title": "Red hat"},
    ]
    body = body_of(shopify_order_payload(line_items=items))
    with customer_scope(connection.customer):
        event, _ = webhook_receive(connection=connection, headers=signed(body), body=body)
        event_process(event_id=event.pk)
        order = Order.objects.get()
        data = OrderData(
            warehouse=order.warehouse,
            recipient=recipient_of(order),
            lines=[(products["MUG"], 1), (products["TEE"], 2)],  # the seller put the hats' stand-in in
        )
        order = order_update(actor=user_a, order=order, data=data)
        assert order.status == OrderStatus.CONFIRMING
        mapping = SkuMapping.objects.get(platform_sku="HAT-RED")
        result = sku_map(actor=user_a, connection=connection, mapping=mapping, product=products["TEE"])
        assert result.retried == 0 and "edited meanwhile" in result.problems[0]
        assert sorted((line.product.sku, line.quantity) for line in order.lines.all()) == [("MUG", 1), ("TEE", 2)]
        assert "HAT-RED is now mapped, but this order was edited" in order.events.order_by("id").last().message
        assert not WaitingLine.objects.exists()


def test_an_order_waiting_for_two_items_stays_abnormal_until_both_are_mapped(shop, user_a):
    connection, products = shop
    items = [
        {"id": 903, "sku": "HAT-RED", "variant_id": 44003, "quantity": 1, "title": "Red hat"},
        {"id": 904, "sku": "", "variant_id": 44004, "quantity": 3, "title": "Sticker"},
    ]
    body = body_of(shopify_order_payload(line_items=items))
    with customer_scope(connection.customer):
        event, _ = webhook_receive(connection=connection, headers=signed(body), body=body)
        event_process(event_id=event.pk)
        hat = SkuMapping.objects.get(platform_sku="HAT-RED")
        sticker = SkuMapping.objects.get(variant_id="44004")
        first = sku_map(actor=user_a, connection=connection, mapping=hat, product=products["MUG"])
        order = Order.objects.get()
        assert (first.retried, first.waiting, order.status) == (0, 1, OrderStatus.ABNORMAL)
        second = sku_map(actor=user_a, connection=connection, mapping=sticker, product=products["TEE"])
        order.refresh_from_db()
        assert (second.retried, order.status) == (1, OrderStatus.CONFIRMING)
        lines = sorted((line.product.sku, line.quantity) for line in order.lines.all())
        assert lines == [("MUG", 1), ("TEE", 3)]


def test_mapping_refuses_another_customers_product(shop, user_a, user_b):
    connection, _ = shop
    with customer_scope(user_b.customer):
        theirs = product_create(actor=user_b, data={"sku": "THEIRS", "name": "Theirs", "declared_value": "1"})
    with customer_scope(connection.customer):
        mapping = SkuMapping.objects.create(connection=connection, platform_sku="X")
        with pytest.raises(ValidationFailed, match="Choose one of your products"):
            sku_map(actor=user_a, connection=connection, mapping=mapping, product=theirs)
        mapping.refresh_from_db()
    assert mapping.product is None
