"""Connecting a Shopify shop from the portal, against the local fake Shopify over real HTTP: a
pasted token, the client-credentials grant, refusals that save nothing, our public app's OAuth
dance (HMAC, state, code exchange), tokens renewed before a sync, and disconnecting."""

import datetime
from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.tenancy import customer_scope
from apps.integrations.choices import AuthMethod, ConnectionStatus
from apps.integrations.models import Connection
from apps.integrations.oauth import query_signature
from apps.integrations.shopify.fake_server import FakeShopify
from apps.orders.models import Order

from .conftest import body_of, shopify_order_payload, signed

pytestmark = pytest.mark.django_db(transaction=True)

DOMAIN = "acme-store.myshopify.com"
APP_SECRET = "shpss_dev_dashboard_app_secret"


@pytest.fixture
def fake(settings):
    settings.INTEGRATION_ALLOW_API_BASE = True
    with FakeShopify(domain=DOMAIN) as shop:
        yield shop


@pytest.fixture
def app_installed(settings, fake):
    """Our public app is configured and is the fake's app."""
    settings.SHOPIFY_APP_CLIENT_ID = fake.client_id
    settings.SHOPIFY_APP_CLIENT_SECRET = fake.client_secret
    return fake


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def connections(customer):
    with customer_scope(customer):
        return list(Connection.objects.filter(shop_domain=DOMAIN).order_by("pk"))


def connect(client, fake, shop, **changes):
    """POST the connect form (token mode with the fake's token unless changed), following redirects.
    ``shop`` (the fixture: customer A's products and warehouse) is asked for so they exist."""
    form = {
        "shop_domain": DOMAIN,
        "display_name": "Acme store",
        "import_since": "2026-11-01",
        "client_id": "",
        "client_secret": APP_SECRET,
        "auth": "token",
        "access_token": fake.token,
        "api_base": fake.api_base,
    }
    form.update(changes)
    return client.post(reverse("integrations:connect-shopify"), form, follow=True)


def webhook_url(connection) -> str:
    return "http://testserver" + reverse("integrations:shopify-webhook", args=[connection.pk])


def deliver(client, connection, secret):
    body = body_of(shopify_order_payload())
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in signed(body, secret=secret).items()}
    headers["content_type"] = headers.pop("HTTP_CONTENT_TYPE")
    url = reverse("integrations:shopify-webhook", kwargs={"connection_id": connection.pk})
    return client.post(url, data=body, **headers)


def test_connect_with_an_access_token(client, fake, shop, user_a):
    client.force_login(user_a)
    warehouse = shop[0].default_warehouse
    response = connect(client, fake, shop, default_warehouse=warehouse.pk, submit_automatically="on")
    assert response.redirect_chain[-1][0] == reverse("integrations:shops")
    assert (
        "Acme store (acme-store.myshopify.com) is connected; 4 webhook subscriptions made." in messages_of(response)[0]
    )
    [connection] = connections(user_a.customer)
    assert connection.status == ConnectionStatus.ACTIVE and connection.auth_method == AuthMethod.TOKEN
    assert connection.default_warehouse == warehouse and connection.submit_automatically
    assert connection.import_since == datetime.date(2026, 11, 1) and connection.token_expires_at is None
    assert connection.credentials()["access_token"] == fake.token
    assert connection.webhook_secret() == APP_SECRET  # Shopify signs webhooks with the client secret
    subscribed = sorted(s["topic"] for s in fake.subscriptions.values())
    assert subscribed == ["APP_UNINSTALLED", "ORDERS_CANCELLED", "ORDERS_CREATE", "ORDERS_UPDATED"]
    assert {s["uri"] for s in fake.subscriptions.values()} == {webhook_url(connection)}
    text = response.content.decode()
    assert "Acme store" in text and "Access token" in text
    assert APP_SECRET not in text and fake.token not in text  # credentials are never shown back
    assert deliver(client, connection, APP_SECRET).status_code == 200


def test_connect_with_the_client_credentials_grant(client, fake, shop, user_a):
    client.force_login(user_a)
    before = timezone.now()
    response = connect(
        client, fake, shop, auth="client_credentials", client_id=fake.client_id, client_secret=fake.client_secret
    )
    assert "is connected" in messages_of(response)[0]
    [connection] = connections(user_a.customer)
    assert connection.auth_method == AuthMethod.CLIENT_CREDENTIALS
    assert fake.grants == ["client_credentials"]
    token = connection.credentials()["access_token"]
    assert token != fake.token and fake.token_valid(token)
    expires_in = (connection.token_expires_at - before).total_seconds()
    assert 86_000 < expires_in < 86_500  # Shopify's ~24 h, stored to renew before it runs out
    assert len(fake.subscriptions) == 4


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"access_token": "shpat_wrong"}, "access_token", "Shopify refused the access token (401)"),
        (
            {"auth": "client_credentials", "client_id": "fake0client0id0123456789", "client_secret": "wrong"},
            "client_secret",
            "Shopify refused the app's credentials: Client authentication failed",
        ),
        ({"shop_domain": "other-store.myshopify.com"}, "shop_domain", "This token belongs to acme-store.myshopify.com"),
        ({"client_secret": ""}, "client_secret", "Enter the app's client secret"),
        ({"auth": "client_credentials", "client_id": ""}, "client_id", "Enter the app's client ID"),
    ],
)
def test_a_refused_connection_says_why_and_saves_nothing(client, fake, shop, user_a, changes, field, words):
    client.force_login(user_a)
    response = connect(client, fake, shop, **changes)
    assert response.status_code == 200 and not response.redirect_chain
    errors = response.context["form"].errors
    assert any(words in e for e in errors.get(field, [])), errors
    with customer_scope(user_a.customer):
        assert Connection.objects.count() == 1  # only the shop fixture's
    assert fake.subscriptions == {}


def test_an_unreachable_shop_says_so(client, shop, user_a, settings):
    settings.INTEGRATION_ALLOW_API_BASE = True
    with FakeShopify(domain=DOMAIN) as gone:
        pass  # stopped: nothing listens on its port any more
    client.force_login(user_a)
    response = connect(client, gone, shop)
    assert "Could not reach acme-store.myshopify.com" in str(response.context["form"].non_field_errors())
    assert connections(user_a.customer) == []


def test_refused_subscriptions_connect_with_a_warning(client, fake, shop, user_a):
    fake.refuse_subscriptions("Address is not an allowed URL")
    client.force_login(user_a)
    response = connect(client, fake, shop)
    said = messages_of(response)
    assert "0 webhook subscriptions made" in said[0]
    assert "4 of 4 webhook subscriptions could not be made" in said[1] and "shopify.app.toml" in said[1]
    [connection] = connections(user_a.customer)
    assert connection.status == ConnectionStatus.ACTIVE and "Address is not an allowed URL" in connection.setup_warning
    assert "could not be made" in response.content.decode()  # the card shows it


def test_the_api_base_field_is_only_offered_when_allowed(client, user_a, settings):
    client.force_login(user_a)
    settings.INTEGRATION_ALLOW_API_BASE = False
    page = client.get(reverse("integrations:connect-shopify"))
    assert page.status_code == 200 and 'name="api_base"' not in page.content.decode()
    assert "OAuth install is not configured" in page.content.decode()
    settings.INTEGRATION_ALLOW_API_BASE = True
    assert 'name="api_base"' in client.get(reverse("integrations:connect-shopify")).content.decode()


# --- OAuth install ------------------------------------------------------------------------------


def install(client, fake, **changes):
    """Start the install; the fake's authorize URL we were sent to."""
    form = {"shop_domain": DOMAIN, "import_since": "2026-11-01", "api_base": fake.api_base, **changes}
    response = client.post(reverse("integrations:install-shopify"), form)
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"]


def approve(authorize_url: str) -> str:
    """The merchant approves on the fake: the callback URL (path and query) Shopify sends back to."""
    answer = httpx.get(authorize_url, follow_redirects=False, timeout=5)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    return f"{back.path}?{back.query}"


def test_the_whole_oauth_dance_against_the_fake_creates_a_connection(client, app_installed, shop, user_a, settings):
    fake = app_installed
    client.force_login(user_a)
    authorize = install(client, fake)
    parts = urlsplit(authorize)
    asked = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"{fake.url}/admin/oauth/authorize"
    assert asked["client_id"] == [fake.client_id] and asked["scope"] == [settings.SHOPIFY_APP_SCOPES]
    assert asked["redirect_uri"] == ["http://testserver" + reverse("integrations:shopify-oauth-callback")]
    assert "grant_options[]" not in asked  # an offline token
    before = timezone.now()
    callback = approve(authorize)
    response = client.get(callback, follow=True)
    assert "is connected; 4 webhook subscriptions made." in messages_of(response)[0]
    [connection] = connections(user_a.customer)
    assert connection.auth_method == AuthMethod.OAUTH and fake.grants == ["authorization_code"]
    credentials = connection.credentials()
    assert credentials["refresh_token"].startswith("shprt_") and fake.token_valid(credentials["access_token"])
    assert 3500 < (connection.token_expires_at - before).total_seconds() < 3700  # expiring=1 was asked
    assert connection.refresh_token_expires_at > before + datetime.timedelta(days=89)
    assert connection.webhook_secret() == fake.client_secret
    # The state was used once: the same answer again is refused and makes nothing.
    again = client.get(callback, follow=True)
    assert "state mismatch" in messages_of(again)[0]
    assert len(connections(user_a.customer)) == 1


def _resigned(callback: str, secret: str, **changes) -> str:
    path, _, query = callback.partition("?")
    params = dict(parse_qsl(query))
    params.update(changes)
    params["hmac"] = query_signature(secret, params.items())
    return f"{path}?{urlencode(params)}"


@pytest.mark.parametrize(
    ("tamper", "words"),
    [
        ("hmac", "HMAC mismatch"),
        ("state", "state mismatch"),
        ("shop", "not acme-store.myshopify.com"),
        ("unsigned_shop", "HMAC mismatch"),
    ],
)
def test_a_bad_oauth_callback_is_refused_and_saves_nothing(client, app_installed, shop, user_a, tamper, words):
    fake = app_installed
    client.force_login(user_a)
    callback = approve(install(client, fake))
    if tamper == "hmac":
        callback = callback.replace("hmac=", "hmac=0")
    elif tamper == "state":
        callback = _resigned(callback, fake.client_secret, state="someone-elses-state")
    elif tamper == "shop":
        callback = _resigned(callback, fake.client_secret, shop="evil-store.myshopify.com")
    else:
        callback = callback.replace(DOMAIN, "evil-store.myshopify.com")
    response = client.get(callback, follow=True)
    assert response.redirect_chain[-1][0] == reverse("integrations:connect-shopify")
    assert any(words in m for m in messages_of(response)), messages_of(response)
    assert connections(user_a.customer) == [] and fake.grants == []  # the code was never exchanged


def test_a_callback_without_an_install_in_this_session_is_refused(client, app_installed, shop, user_a, user_b):
    fake = app_installed
    client.force_login(user_a)
    callback = approve(install(client, fake))
    client.force_login(user_b)  # another customer's session replays A's answer
    response = client.get(callback, follow=True)
    assert "state mismatch" in messages_of(response)[0]
    with customer_scope(user_b.customer):
        assert not Connection.objects.exists()


def test_install_says_when_oauth_is_not_configured(client, fake, user_a, settings):
    settings.SHOPIFY_APP_CLIENT_ID = ""
    client.force_login(user_a)
    response = client.post(
        reverse("integrations:install-shopify"), {"shop_domain": DOMAIN, "import_since": "2026-11-01"}
    )
    assert response.status_code == 200
    assert "OAuth install is not configured" in str(response.context["install_form"].non_field_errors())


# --- Tokens renewed before a sync ---------------------------------------------------------------


def _expire(connection, fake):
    fake.expire_tokens()
    with customer_scope(connection.customer):
        Connection.objects.filter(pk=connection.pk).update(
            token_expires_at=timezone.now() - datetime.timedelta(minutes=1)
        )


@pytest.mark.parametrize("way", ["client_credentials", "oauth"])
def test_an_expired_token_is_renewed_before_a_sync(client, app_installed, shop, user_a, way):
    fake = app_installed
    client.force_login(user_a)
    if way == "oauth":
        client.get(approve(install(client, fake)))
    else:
        connect(
            client, fake, shop, auth="client_credentials", client_id=fake.client_id, client_secret=fake.client_secret
        )
    [connection] = connections(user_a.customer)
    old = connection.credentials()
    _expire(connection, fake)
    fake.clock = timezone.now() - datetime.timedelta(minutes=30)
    fake.add_order(sku="TEE", quantity=1)
    response = client.post(reverse("integrations:connection-sync", args=[connection.pk]), follow=True)
    assert "Fetched 1, created 1, updated 0, skipped 0, failed 0." in messages_of(response)[-1], messages_of(response)
    [renewed] = connections(user_a.customer)
    assert renewed.status == ConnectionStatus.ACTIVE and renewed.token_expires_at > timezone.now()
    new = renewed.credentials()
    assert new["access_token"] != old["access_token"] and fake.token_valid(new["access_token"])
    assert not fake.token_valid(old["access_token"])
    if way == "oauth":
        assert fake.grants == ["authorization_code", "refresh_token"]
        assert new["refresh_token"] != old["refresh_token"]  # the new pair is kept
    else:
        assert fake.grants == ["client_credentials", "client_credentials"]


def test_a_lapsed_refresh_token_stops_the_sync_and_says_install_again(client, app_installed, shop, user_a):
    fake = app_installed
    client.force_login(user_a)
    client.get(approve(install(client, fake)))
    [connection] = connections(user_a.customer)
    _expire(connection, fake)
    with customer_scope(connection.customer):
        Connection.objects.filter(pk=connection.pk).update(refresh_token_expires_at=timezone.now())
    response = client.post(reverse("integrations:connection-sync", args=[connection.pk]), follow=True)
    assert "The shop's refresh token has expired; install the app on the shop again." in messages_of(response)[-1]
    assert connections(user_a.customer)[0].status == ConnectionStatus.NEEDS_ATTENTION
    assert fake.grants == ["authorization_code"]  # nothing was asked with a lapsed refresh token


# --- Disconnecting ------------------------------------------------------------------------------


def test_disconnect_wipes_credentials_keeps_orders_and_the_shop_can_connect_again(client, fake, shop, user_a):
    client.force_login(user_a)
    connect(client, fake, shop)
    [connection] = connections(user_a.customer)
    assert deliver(client, connection, APP_SECRET).status_code == 200
    with customer_scope(user_a.customer):
        assert Order.objects.filter(external_ref="#1001").count() == 1
    url = reverse("integrations:connection-disconnect", args=[connection.pk])

    unconfirmed = client.post(url, {"confirm": "yes"}, follow=True)
    assert "Type acme-store.myshopify.com to confirm" in messages_of(unconfirmed)[0]
    assert connections(user_a.customer)[0].status == ConnectionStatus.ACTIVE

    response = client.post(url, {"confirm": DOMAIN}, follow=True)
    said = messages_of(response)[0]
    assert "is disconnected" in said and "4 webhook subscription(s) were removed" in said
    [gone] = connections(user_a.customer)
    assert gone.status == ConnectionStatus.DISCONNECTED and gone.status_reason == f"Disconnected by {user_a.email}."
    assert gone.credentials() == {} and gone.webhook_secret() == "" and gone.credentials_encrypted == ""
    assert fake.subscriptions == {}
    assert deliver(client, connection, APP_SECRET).status_code == 404
    assert [card.connection.shop_domain for card in response.context["cards"]] == ["demo-store.myshopify.com"]
    with customer_scope(user_a.customer):
        assert Order.objects.filter(external_ref="#1001").count() == 1  # orders stay

    again = connect(client, fake, shop)
    assert "is connected" in messages_of(again)[0]
    statuses = [c.status for c in connections(user_a.customer)]
    assert statuses == [ConnectionStatus.DISCONNECTED, ConnectionStatus.ACTIVE]
