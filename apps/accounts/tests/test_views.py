import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scopes_disabled

from apps.accounts.models import ApiKey, Customer, User
from apps.accounts.tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def login(client, email, password=TEST_PASSWORD):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, follow=True)


def test_login_lands_customer_on_dashboard_with_message(client, user_a):
    response = login(client, user_a.email)
    assert response.redirect_chain[-1][0] == reverse("portal:dashboard")
    body = response.content.decode()
    assert f"Signed in as {user_a.email}" in body
    assert user_a.customer.code in body


def test_login_lands_staff_in_back_office(client, make_staff):
    staff = make_staff("finance")
    response = login(client, staff.email)
    assert response.redirect_chain[-1][0] == reverse("backoffice:dashboard")


def test_wrong_password_says_so_and_does_not_sign_in(client, user_a):
    response = login(client, user_a.email, "wrong-password")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_login(client, user_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, user_a.email, "wrong-password")
    response = login(client, user_a.email)  # even the right password is refused now
    assert response.status_code == 429
    assert "Sign-in paused" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_suspended_customer_cannot_sign_in(client, user_a):
    Customer.objects.filter(pk=user_a.customer_id).update(status="suspended")
    response = login(client, user_a.email)
    assert "suspended" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_register_opens_account_and_signs_in(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:register"),
            {
                "company_name": "Nova Shop",
                "contact_name": "Nina Nova",
                "email": "nina@nova.example",
                "phone": "",
                "password1": "a-long-secret-77",
                "password2": "a-long-secret-77",
            },
            follow=True,
        )
    assert response.redirect_chain[-1][0] == reverse("portal:dashboard")
    user = User.objects.get(email="nina@nova.example")
    assert f"customer code is {user.customer.code}" in response.content.decode()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password2": "something-else-1"}, "The two passwords differ"),
        ({"password1": "12345678", "password2": "12345678"}, "too common"),
        ({"email": "not-an-email"}, "valid email"),
        ({"company_name": ""}, "This field is required"),
    ],
)
def test_register_bad_input_explains_and_creates_nothing(client, overrides, message):
    data = {
        "company_name": "Nova Shop",
        "contact_name": "Nina",
        "email": "nina@nova.example",
        "phone": "",
        "password1": "a-long-secret-77",
        "password2": "a-long-secret-77",
        **overrides,
    }
    response = client.post(reverse("accounts:register"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Customer.objects.filter(company_name="Nova Shop").exists()
    assert not User.objects.filter(email="nina@nova.example").exists()


def test_register_with_taken_email_explains(client, user_a):
    response = client.post(
        reverse("accounts:register"),
        {
            "company_name": "Copycat",
            "contact_name": "C",
            "email": user_a.email.upper(),
            "phone": "",
            "password1": "a-long-secret-77",
            "password2": "a-long-secret-77",
        },
    )
    assert "already registered" in response.content.decode()
    assert not Customer.objects.filter(company_name="Copycat").exists()


def test_password_change(client, user_a):
    client.force_login(user_a)
    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "fresh-secret-4242",
            "new_password2": "fresh-secret-4242",
        },
        follow=True,
    )
    assert "Your password has been changed" in response.content.decode()
    user_a.refresh_from_db()
    assert user_a.check_password("fresh-secret-4242")


def test_password_reset_round_trip(client, user_a):
    response = client.post(reverse("accounts:password-reset"), {"email": user_a.email}, follow=True)
    assert "we have sent it a link" in response.content.decode()
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)  # Django swaps the token into the session
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "reset-secret-555", "new_password2": "reset-secret-555"}, follow=True
    )
    assert "Your new password is set" in response.content.decode()
    user_a.refresh_from_db()
    assert user_a.check_password("reset-secret-555")


def test_customer_opening_staff_url_gets_403_with_explanation(client, user_a):
    client.force_login(user_a)
    response = client.get(reverse("backoffice:customer-list"))
    assert response.status_code == 403
    assert "for Fulfillment Hub staff only" in response.content.decode()


def test_api_key_page_shows_key_once_and_revokes(client, user_a):
    client.force_login(user_a)
    response = client.post(reverse("accounts:api-keys"), {"name": "ERP"})
    body = response.content.decode()
    assert "Copy it now" in body
    with scopes_disabled():
        key = ApiKey.objects.get(customer=user_a.customer)
    raw = body.split('id="new-key"', 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert raw.startswith(key.prefix)
    assert raw not in client.get(reverse("accounts:api-keys")).content.decode()  # shown once

    response = client.post(reverse("accounts:api-key-revoke", args=[key.pk]), follow=True)
    assert "revoked" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_api_key_name_is_required(client, user_a):
    client.force_login(user_a)
    response = client.post(reverse("accounts:api-keys"), {"name": "  "})
    assert "This field is required" in response.content.decode()
    with scopes_disabled():
        assert not ApiKey.objects.exists()


def test_api_keys_page_highlights_integration(client, user_a):
    client.force_login(user_a)
    body = client.get(reverse("accounts:api-keys")).content.decode()
    assert body.count("nav-link active") == 1
    active = body.split("nav-link active", 1)[1].split("</a>", 1)[0]
    assert "Integration" in active
