import pytest
from django.urls import reverse

from apps.accounts.services import api_key_create, api_key_revoke
from apps.core.tenancy import customer_scope

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def issue_key(user, name="k"):
    with customer_scope(user.customer):
        return api_key_create(actor=user, name=name)


def test_me_with_api_key(api_client, user_a):
    issued = issue_key(user_a)
    response = api_client.get(ME, HTTP_AUTHORIZATION=f"Token {issued.raw_key}")
    assert response.status_code == 200
    body = response.json()
    assert body["email"] == user_a.email
    assert body["role"] == "owner"
    assert body["customer"]["code"] == user_a.customer.code
    assert body["customer"]["level"] == "standard"


def test_me_with_browser_session(api_client, user_a):
    api_client.force_login(user_a)
    assert api_client.get(ME).json()["customer"]["code"] == user_a.customer.code


def test_no_credentials_is_401_with_code(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == "Token"


def test_revoked_key_is_401_with_clear_message(api_client, user_a):
    issued = issue_key(user_a)
    with customer_scope(user_a.customer):
        api_key_revoke(actor=user_a, api_key=issued.api_key)
    response = api_client.get(ME, HTTP_AUTHORIZATION=f"Token {issued.raw_key}")
    assert response.status_code == 401
    assert response.json() == {
        "code": "api_key_revoked",
        "message": "This API key has been revoked. Make a new one in the portal.",
    }


def test_unknown_key_is_401(api_client, db):
    response = api_client.get(ME, HTTP_AUTHORIZATION="Token fh_made_up")
    assert response.status_code == 401 and response.json()["code"] == "invalid_api_key"


def test_staff_user_gets_403_from_customer_api(api_client, make_staff):
    api_client.force_login(make_staff("admin"))
    response = api_client.get(ME)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_api_keys_list_and_revoke(api_client, user_a):
    issued = issue_key(user_a, "ERP")
    auth = {"HTTP_AUTHORIZATION": f"Token {issued.raw_key}"}
    other = issue_key(user_a, "Old")
    listing = api_client.get("/api/v1/api-keys/", **auth).json()
    assert listing["count"] == 2 and {r["name"] for r in listing["results"]} == {"ERP", "Old"}
    assert "key_hash" not in listing["results"][0]

    response = api_client.post(f"/api/v1/api-keys/{other.api_key.pk}/revoke/", **auth)
    assert response.status_code == 200 and response.json()["is_active"] is False
    again = api_client.post(f"/api/v1/api-keys/{other.api_key.pk}/revoke/", **auth)
    assert again.status_code == 409 and again.json()["code"] == "api_key_revoked"


def test_unknown_route_and_method_errors_are_json(api_client, user_a):
    api_client.force_login(user_a)
    response = api_client.delete(ME)
    assert response.status_code == 405 and response.json()["code"] == "method_not_allowed"
    response = api_client.get("/api/v1/api-keys/999999/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_list_endpoint_query_count_does_not_grow_with_rows(api_client, user_a, django_assert_max_num_queries):
    api_client.force_login(user_a)
    for n in range(3):
        issue_key(user_a, f"k{n}")
    with django_assert_max_num_queries(6) as first:
        api_client.get("/api/v1/api-keys/")
    for n in range(20):
        issue_key(user_a, f"more{n}")
    with django_assert_max_num_queries(len(first.captured_queries)):
        api_client.get("/api/v1/api-keys/")


def test_schema_and_docs_are_served_offline(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    body = docs.content.decode()
    assert "drf_spectacular_sidecar" in body or "/static/" in body
    assert "cdn" not in body.lower()


def test_throttling_answers_429_with_code(api_client, user_a, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import UserRateThrottle

    api_client.force_login(user_a)
    original = UserRateThrottle.THROTTLE_RATES
    UserRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "2/min"}
    try:
        codes = [api_client.get(ME).status_code for _ in range(3)]
        last = api_client.get(ME)
    finally:
        UserRateThrottle.THROTTLE_RATES = original
    assert codes[:2] == [200, 200] and 429 in codes[2:] + [last.status_code]
    assert last.json()["code"] == "throttled"
