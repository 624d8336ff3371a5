"""Connecting eBay through its consent, over real HTTP against the fake eBay (the portal's pages
with Django's client, eBay's pages with httpx), Reconnect, and the marketplace account deletion
endpoint: the challenge, a verified notification acted on, a forged one refused."""

import hashlib
import io
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from apps.core.tenancy import customer_scope
from apps.integrations.choices import ConnectionStatus
from apps.integrations.models import Connection, OrderLink, PlatformEvent
from apps.integrations.sync import connection_sync
from apps.orders.models import Order

from .ebay_fixtures import VERIFICATION_TOKEN, fresh

pytestmark = pytest.mark.django_db(transaction=True)


def _consent(client, fake, warehouse=None):
    """Connect with eBay → eBay's consent page → Agree → back to our callback; the final response."""
    data = {"import_since": "2026-11-20", "default_warehouse": warehouse.pk if warehouse else ""}
    started = client.post(reverse("integrations:connect-ebay"), data)
    assert started.status_code == 302, started.content[:500]
    url = started["Location"]
    assert url.startswith(fake.url + "/oauth2/authorize?")
    query = parse_qs(urlsplit(url).query)
    assert query["response_type"] == ["code"] and query["redirect_uri"] == [fake.ru_name]
    assert "https://api.ebay.com/oauth/api_scope/sell.fulfillment" in query["scope"][0].split()
    page = httpx.get(url)
    assert page.status_code == 200 and "Agree and continue" in page.text
    agree = httpx.get(fake.url + page.text.split('href="')[1].split('"')[0].replace("&amp;", "&"))
    assert agree.status_code == 302
    back = urlsplit(agree.headers["Location"])
    return client.get(back.path + "?" + back.query)


def test_the_consent_connects_the_account_and_reconnect_renews_it(client, user_a, shop, fake_ebay):
    fake_ebay.accept_url = "http://testserver" + reverse("integrations:ebay-oauth-callback")
    client.force_login(user_a)
    done = _consent(client, fake_ebay, shop[0].default_warehouse)
    assert done.status_code == 302 and done["Location"] == reverse("integrations:shops")
    with customer_scope(user_a.customer):
        connection = Connection.objects.get(platform="ebay")
    assert (connection.shop_domain, connection.auth_method, connection.status) == ("fake_seller", "oauth", "active")
    credentials = connection.credentials()
    assert credentials["access_token"] and credentials["refresh_token"]
    assert connection.token_expires_at and connection.refresh_token_expires_at
    assert fake_ebay.grants == ["authorization_code"]
    page = client.get(reverse("integrations:shops"))
    assert b'data-testid="ebay-guide"' in page.content

    fake_ebay.expire_tokens()
    fake_ebay.revoke_refresh_tokens()
    with customer_scope(user_a.customer):
        connection_sync(connection=fresh(connection))
    assert fresh(connection).status == ConnectionStatus.NEEDS_ATTENTION
    page = client.get(reverse("integrations:shops"))
    assert b'data-testid="connection-reconnect"' in page.content
    assert reverse("integrations:connect-ebay").encode() in page.content
    _consent(client, fake_ebay)  # Reconnect: the same account's connection gets new tokens
    renewed = fresh(connection)
    assert renewed.status == ConnectionStatus.ACTIVE and renewed.status_reason == ""
    assert renewed.credentials()["refresh_token"] != credentials["refresh_token"]
    with customer_scope(user_a.customer):
        assert Connection.objects.filter(platform="ebay").count() == 1


def test_a_callback_without_this_sessions_consent_saves_nothing(client, user_a, fake_ebay):
    client.force_login(user_a)
    refused = client.get(reverse("integrations:ebay-oauth-callback") + "?state=forged&code=abc", follow=True)
    assert "state mismatch" in refused.content.decode()
    declined = client.post(reverse("integrations:connect-ebay"), {"import_since": "2026-11-20"})
    state = parse_qs(urlsplit(declined["Location"]).query)["state"][0]
    answer = client.get(
        reverse("integrations:ebay-oauth-callback") + f"?state={state}&error=access_denied", follow=True
    )
    assert "eBay did not grant access" in answer.content.decode()
    with customer_scope(user_a.customer):
        assert not Connection.objects.filter(platform="ebay").exists()


def test_the_deletion_endpoint_answers_ebays_challenge(client, settings):
    settings.EBAY_VERIFICATION_TOKEN = VERIFICATION_TOKEN
    settings.EBAY_DELETION_ENDPOINT_URL = endpoint = "https://hub.example/integrations/ebay/account-deletion/"
    answer = client.get(reverse("integrations:ebay-account-deletion") + "?challenge_code=a8628072-3d33-45ee-9004")
    assert answer.status_code == 200
    wanted = hashlib.sha256(("a8628072-3d33-45ee-9004" + VERIFICATION_TOKEN + endpoint).encode()).hexdigest()
    assert answer.json() == {"challengeResponse": wanted}


def test_a_verified_deletion_erases_the_buyers_data_and_a_forged_one_is_refused(ebay_shop, live_server):
    connection, _products, fake = ebay_shop
    mine = fake.add_order(sku="TEE", buyer="Closing_Buyer")
    other = fake.add_order(sku="MUG", buyer="someone_else")
    with customer_scope(connection.customer):
        assert connection_sync(connection=fresh(connection)).created == 2
    url = live_server.url + reverse("integrations:ebay-account-deletion")
    forged = fake.send_deletion(url, username="closing_buyer", forged=True)
    assert forged.status_code == 412
    with customer_scope(connection.customer):
        assert not PlatformEvent.objects.filter(connection=connection).exists()
    nobody = fake.send_deletion(url, username="never_bought_here")
    assert nobody.status_code == 204
    accepted = fake.send_deletion(url, username="closing_buyer")
    assert accepted.status_code == 204
    with customer_scope(connection.customer):
        (event,) = PlatformEvent.objects.filter(connection=connection)
        assert (event.topic, event.status) == ("MARKETPLACE_ACCOUNT_DELETION", "processed"), event.result
        assert b"closing_buyer" not in bytes(event.body) and event.headers["x-ebay-signature"] == "[redacted]"
        erased = Order.objects.get(external_ref=mine["orderId"])
        kept = Order.objects.get(external_ref=other["orderId"])
        assert (erased.recipient_name, erased.recipient_phone, erased.recipient_email) == ("Redacted", "", "")
        assert erased.city == "San Francisco"  # what billing and statistics need stays
        assert kept.recipient_name == "Jane Doe"
        assert OrderLink.objects.get(order=erased).buyer_ref == ""
    assert sum(1 for r in fake.requests if r["path"].startswith("/commerce/notification/v1/public_key/")) == 1


def test_integration_connect_makes_an_ebay_connection_from_tokens(user_a, fake_ebay):
    token, refresh = fake_ebay.token_issue()
    out = io.StringIO()
    call_command(
        "integration_connect", user_a.email, "ebay", "--token", token, "--refresh-token", refresh,
        "--expires-in", "7200", "--api-base", fake_ebay.url, stdout=out,
    )  # fmt: skip
    printed = out.getvalue()
    assert printed.strip().isdigit() and printed.count("\n") == 1 and token not in printed
    with customer_scope(user_a.customer):
        connection = Connection.objects.get(pk=int(printed))
    assert (connection.platform, connection.shop_domain, connection.api_base) == ("ebay", "fake_seller", fake_ebay.url)
    assert connection.credentials()["refresh_token"] == refresh and connection.auth_method == "oauth"
    with pytest.raises(CommandError, match="Connect with eBay"):
        call_command("integration_connect", user_a.email, "ebay")
    fake_ebay.expire_tokens()
    with pytest.raises(CommandError, match="eBay refused the new token"):
        call_command("integration_connect", user_a.email, "ebay", "--token", token, "--api-base", fake_ebay.url)


def test_the_back_office_shows_the_ebay_account_and_its_polls(client, make_staff, ebay_shop):
    connection, _products, fake = ebay_shop
    fake.add_order(sku="TEE")
    with customer_scope(connection.customer):
        connection_sync(connection=fresh(connection))
    client.force_login(make_staff("customer_service"))
    listed = client.get(reverse("backoffice:integration-connection-list") + "?platform=ebay")
    assert listed.status_code == 200
    text = listed.content.decode()
    assert "fake_seller" in text and "eBay" in text
    detail = client.get(reverse("backoffice:integration-connection-detail", args=[connection.pk]))
    assert detail.status_code == 200 and "fake_seller" in detail.content.decode()
