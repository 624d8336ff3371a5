"""Connecting a WooCommerce store from the portal, against the fake store over real HTTP: keys
typed into the form, refusals that save nothing, the wc-auth key handshake (the store POSTs the
keys to our callback, then sends the seller back), the Shops card, the command line, and
disconnecting (the store's webhooks are deleted)."""

from io import StringIO
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.core.tenancy import customer_scope
from apps.integrations.choices import ConnectionStatus
from apps.integrations.connect import ConnectOptions, connection_disconnect
from apps.integrations.connect_woocommerce import WooOptions, handshake_url
from apps.integrations.models import Connection
from apps.integrations.woocommerce.fake_server import FakeWooCommerce

from .woo import STORE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def store(settings):
    settings.INTEGRATION_ALLOW_API_BASE = True
    with FakeWooCommerce() as fake:
        yield fake


def _connections(customer):
    with customer_scope(customer):
        return list(Connection.objects.filter(platform="woocommerce").order_by("pk"))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _form(store, **changes):
    form = {
        "keys-shop_domain": f"https://{STORE}/",
        "keys-consumer_key": store.key,
        "keys-consumer_secret": store.secret,
        "keys-display_name": "",
        "keys-import_since": "2026-11-01",
        "keys-import_statuses": ["processing", "on-hold"],
        "keys-complete_on_ship": "on",
        "keys-api_base": store.url,
    }
    form.update(changes)
    return form


def test_keys_typed_into_the_form_connect_the_store(client, user_a, shop, store):
    client.force_login(user_a)
    page = client.get(reverse("integrations:woocommerce-connect"))
    assert page.status_code == 200 and b"Connect with WooCommerce" in page.content
    response = client.post(reverse("integrations:woocommerce-connect"), _form(store), follow=True)
    assert response.status_code == 200
    [connection] = _connections(user_a.customer)
    assert (connection.shop_domain, connection.display_name, str(connection.import_since)) == (
        STORE,
        store.name,
        "2026-11-01",
    )
    assert connection.options["import_statuses"] == ["processing", "on-hold"]
    assert connection.credentials() == {"consumer_key": store.key, "consumer_secret": store.secret}
    assert len(store.webhooks) == 3  # the pings went to "testserver" and failed there; the webhooks stay
    assert any("is connected; 3 webhooks made" in m for m in _messages(response))
    assert b'data-testid="woocommerce-guide"' in response.content
    assert reverse("integrations:woocommerce-webhook", args=[connection.pk]).encode() in response.content


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"keys-consumer_secret": "cs_wrong"}, "refused the keys"),
        ({"keys-consumer_key": "not-a-key"}, "consumer key (ck_…)"),
        ({"keys-shop_domain": "http://shop.example", "keys-api_base": ""}, "https"),
        ({"keys-shop_domain": "https://shop.example/blog"}, "without a path"),
    ],
)
def test_refusals_say_why_and_save_nothing(client, user_a, shop, store, changes, words):
    client.force_login(user_a)
    response = client.post(reverse("integrations:woocommerce-connect"), _form(store, **changes))
    assert response.status_code == 200
    assert words in response.content.decode()
    assert _connections(user_a.customer) == [] and store.webhooks == {}


def test_read_only_keys_are_refused(client, user_a, shop, store):
    store.add_key("ck_readonly", "cs_readonly", permissions="read")
    client.force_login(user_a)
    form = _form(store, **{"keys-consumer_key": "ck_readonly", "keys-consumer_secret": "cs_readonly"})
    client.post(reverse("integrations:woocommerce-connect"), form)
    [connection] = _connections(user_a.customer)  # reading works; making the webhooks is refused
    assert "webhooks could not be made" in connection.setup_warning and "write permissions" in connection.setup_warning


def test_the_key_handshake_connects_the_store_without_copying_keys(client, user_a, shop, store, live_server):
    client.force_login(user_a)
    start = client.post(
        reverse("integrations:woocommerce-handshake"),
        {"auth-shop_domain": STORE, "auth-import_since": "2026-11-01", "auth-api_base": store.url},
    )
    assert start.status_code == 302 and start["Location"].startswith(f"{store.url}/wc-auth/v1/authorize?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(start["Location"]).query).items()}
    assert (params["app_name"], params["scope"]) == ("Fulfillment Hub", "read_write")
    # The store calls back the live server (the test client's host is not reachable from the store).
    with customer_scope(user_a.customer):
        url = handshake_url(
            actor=user_a,
            store_url=STORE,
            options=ConnectOptions(api_base=store.url),
            woo=WooOptions(),
            return_url=live_server.url + reverse("integrations:woocommerce-return"),
            callback_url=live_server.url + reverse("integrations:woocommerce-callback"),
        )
    approval = httpx.get(url)
    assert approval.status_code == 200 and "would like to connect" in approval.text
    fields = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()} | {"wc_auth_action": "approve"}
    granted = httpx.post(f"{store.url}/wc-auth/v1/access_granted", data=fields)
    assert granted.status_code == 302, granted.text
    assert store.handshakes[-1]["callback_status"] == 200
    back = urlsplit(granted.headers["Location"])
    assert parse_qs(back.query)["success"] == ["1"]
    [connection] = _connections(user_a.customer)
    assert connection.credentials()["consumer_key"] == store.handshakes[-1]["key"]
    assert len(connection.webhook_subscriptions) == 3 and [p["status"] for p in store.pings] == [200, 200, 200]
    response = client.get(f"{back.path}?{back.query}", follow=True)
    assert any("is connected" in m for m in _messages(response))


def test_a_forged_callback_is_refused(client, user_a, shop, store):
    payload = {"key_id": 1, "user_id": "forged", "consumer_key": store.key, "consumer_secret": store.secret}
    response = client.post(
        reverse("integrations:woocommerce-callback"), payload | {"key_permissions": "read_write"}, "application/json"
    )
    assert response.status_code == 400 and _connections(user_a.customer) == []


def test_the_command_connects_and_disconnecting_deletes_the_webhooks(user_a, shop, store, live_server):
    out = StringIO()
    call_command(
        "integration_connect",
        user_a.email,
        "woocommerce",
        "--shop",
        f"https://{STORE}",
        "--key",
        store.key,
        "--secret",
        store.secret,
        "--api-base",
        store.url,
        "--base",
        live_server.url,
        stdout=out,
    )
    [connection] = _connections(user_a.customer)
    assert out.getvalue().strip() == str(connection.pk)
    assert len(store.webhooks) == 3 and [p["status"] for p in store.pings] == [200, 200, 200]
    with customer_scope(user_a.customer):
        result = connection_disconnect(actor=user_a, connection=connection, confirm=STORE)
    assert (result.unsubscribed, result.left) == (3, 0) and store.webhooks == {}
    assert _connections(user_a.customer)[0].status == ConnectionStatus.DISCONNECTED
