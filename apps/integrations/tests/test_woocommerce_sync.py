"""The WooCommerce poll against the fake store over real HTTP: it brings in what the webhooks
missed, mends the webhooks WooCommerce disabled or lost (the card says so), pages through big
stores, falls back to query-string keys where the host strips the Authorization header, and a
revoked key marks the connection as needing attention."""

import pytest

from apps.core.tenancy import customer_scope
from apps.integrations.choices import ConnectionStatus
from apps.integrations.models import OrderLink
from apps.integrations.sync import connection_sync
from apps.integrations.woocommerce.adapter import WooAdapter
from apps.orders.choices import OrderStatus
from apps.orders.models import Order

from .woo import connect, fresh

pytestmark = pytest.mark.django_db(transaction=True)


def _sync(connection, **kwargs):
    connection = fresh(connection)
    with customer_scope(connection.customer):
        return connection_sync(connection=connection, **kwargs)


def _refs(connection):
    with customer_scope(connection.customer):
        return sorted(Order.objects.filter(source="woocommerce").values_list("external_ref", flat=True))


def test_a_webhook_the_store_disabled_is_enabled_again_by_the_poll_which_imports_what_it_missed(woo):
    connection, fake, _products = woo
    created = next(w for w in fake.webhooks.values() if w["topic"] == "order.created")
    fake.network_down = True  # our site unreachable: each delivery fails, none is ever sent again
    missed = []
    while created["status"] == "active":
        missed.append(fake.add_order(sku="TEE"))
    assert len(missed) == fake.max_failures + 2  # class-wc-webhook.php: disabled once the count exceeds 5
    fake.network_down = False
    missed.append(fake.add_order(sku="MUG"))  # sent nowhere: the webhook is disabled
    assert _refs(connection) == []
    run = _sync(connection)
    assert (run.error, run.created, run.failed) == ("", len(missed), 0)
    assert sorted(_refs(connection)) == sorted(f"#{o['id']}" for o in missed)
    assert created["status"] == "active" and created["failure_count"] == 0
    connection = fresh(connection)
    assert "disabled the order.created webhook" in connection.health_note and connection.health_note_at
    fake.add_order(sku="TEE")  # delivered again
    assert len(_refs(connection)) == len(missed) + 1
    assert _sync(connection).created == 0
    assert fresh(connection).health_note == connection.health_note  # nothing mended: the note stays as it was


def test_a_deleted_webhook_is_made_again(woo):
    connection, fake, _products = woo
    deleted = next(w for w in fake.webhooks.values() if w["topic"] == "order.deleted")
    fake.webhooks.pop(deleted["id"])
    _sync(connection)
    assert sorted(w["topic"] for w in fake.webhooks.values()) == ["order.created", "order.deleted", "order.updated"]
    connection = fresh(connection)
    assert "order.deleted webhook was missing on the store; made again." in connection.health_note
    assert {s["id"] for s in connection.webhook_subscriptions} == set(fake.webhooks)


def test_a_webhook_the_seller_paused_stays_paused_and_the_card_says_so(woo):
    connection, fake, _products = woo
    updated = next(w for w in fake.webhooks.values() if w["topic"] == "order.updated")
    updated["status"] = "paused"
    _sync(connection)
    assert updated["status"] == "paused"
    assert "order.updated webhook is paused on the store" in fresh(connection).health_note


def test_the_poll_pages_through_the_store_and_imports_each_order_once(woo):
    connection, fake, _products = woo
    fake.network_down = True  # nothing by webhook: all by the poll
    for n in range(230):
        fake.add_order(sku="TEE" if n % 2 else "MUG", deliver=False)
    fake.add_order(sku="TEE", status="pending", deliver=False)  # waits: not processing
    fake.add_order(sku="TEE", status="completed", deliver=False)  # shipped by the seller: refused, counted skipped
    run = _sync(connection)
    assert (run.error, run.fetched, run.created, run.skipped, run.failed) == ("", 231, 230, 1, 0)
    pages = [r for r in fake.requests if r["path"].endswith("/orders")]
    assert len(pages) == 3
    again = _sync(connection)  # from the cursor minus the overlap: all seen, nothing new
    assert (again.created, again.error) == (0, "")
    assert len(_refs(connection)) == 230


def test_an_order_changed_while_the_poll_pages_is_not_skipped(woo):
    connection, fake, _products = woo
    orders = [fake.add_order(sku="TEE", deliver=False) for _ in range(150)]
    adapter = WooAdapter(fresh(connection))
    with customer_scope(connection.customer):
        first = adapter.orders_page(connection.created_at.replace(hour=0, minute=0, second=0), None)
        fake.update_order(orders[0]["id"], customer_note="changed", deliver=False)  # moves to the end
        second = adapter.orders_page(connection.created_at, first.next_after)
    adapter.close()
    seen = [o.order_id for o in first.orders + second.orders]
    assert len(first.orders) == 100 and set(seen) == {str(o["id"]) for o in orders}


def test_a_host_that_strips_the_authorization_header_gets_the_keys_in_the_query(shop, fake_woo, live_server, user_a):
    fake_woo.strip_authorization = True
    result = connect(user_a, fake_woo, live_server)
    connection = fresh(result.connection)
    assert connection.options["query_auth"] is True and len(connection.webhook_subscriptions) == 3
    fake_woo.requests.clear()
    fake_woo.add_order(sku="TEE", deliver=False)
    run = _sync(connection)
    assert (run.error, run.created) == ("", 1)
    api = [(r["auth"], r["status"]) for r in fake_woo.requests if r["path"].startswith("/wp-json/")]
    assert set(api) == {("query", 200)}  # remembered: no 401 first any more


def test_basic_auth_keeps_working_and_a_revoked_key_needs_attention(woo):
    connection, fake, _products = woo
    fake.add_order(sku="TEE", deliver=False)
    fake.fail_next(1)
    fake.throttle_next(1, retry_after=0)
    run = _sync(connection)
    assert (run.error, run.created) == ("", 1)
    assert {r["auth"] for r in fake.requests if r["path"].startswith("/wp-json/wc/v3/orders")} == {"basic"}
    fake.revoke_key(fake.key)
    run = _sync(connection)
    assert "WooCommerce refused the API keys" in run.error
    connection = fresh(connection)
    assert connection.status == ConnectionStatus.NEEDS_ATTENTION and "refused" in connection.status_reason


def test_the_poll_cancels_an_order_cancelled_on_the_store_and_leaves_other_statuses(woo):
    connection, fake, _products = woo
    placed = fake.add_order(sku="TEE")
    fake.network_down = True
    fake.update_order(placed["id"], status="cancelled")  # the webhook never arrives
    _sync(connection)
    with customer_scope(connection.customer):
        link = OrderLink.objects.select_related("order").get(platform_order_id=str(placed["id"]))
        assert link.order.status == OrderStatus.CANCELLED
