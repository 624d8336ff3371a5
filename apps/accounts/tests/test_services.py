import pytest
from django.core import mail
from django_scopes import ScopeError, scopes_disabled

from apps.accounts.choices import CustomerRole, CustomerStatus
from apps.accounts.errors import ApiKeyRevoked, EmailTaken, WeakPassword
from apps.accounts.models import ApiKey, Customer, User
from apps.accounts.services import (
    api_key_authenticate,
    api_key_create,
    api_key_revoke,
    customer_open,
    customer_register,
    customer_update,
)
from apps.core.tenancy import customer_scope

pytestmark = pytest.mark.django_db


def register(**overrides):
    data = {
        "company_name": "Nova Shop",
        "contact_name": "Nina Nova",
        "email": "Nina@Nova.example",
        "password": "a-long-secret-77",
    }
    data.update(overrides)
    return customer_register(**data)


def test_register_opens_customer_with_owner_and_sends_welcome_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = register()
    assert user.email == "nina@nova.example"
    assert user.customer_role == CustomerRole.OWNER
    assert user.customer.code.startswith("C1")
    assert user.customer.status == CustomerStatus.ACTIVE
    assert user.customer.level.code == "standard"
    assert user.check_password("a-long-secret-77")
    assert len(mail.outbox) == 1
    assert user.customer.code in mail.outbox[0].subject

    # Running the task again (a redelivery) sends nothing more.
    from apps.accounts.tasks import send_welcome_email

    assert send_welcome_email(user.pk) is False
    assert len(mail.outbox) == 1


def test_customer_codes_follow_the_sequence():
    first = register(email="a@x.example").customer
    second = register(email="b@x.example").customer
    assert int(second.code[1:]) == int(first.code[1:]) + 1


def test_duplicate_email_any_case_is_refused_and_nothing_is_created():
    register()
    customers = Customer.objects.count()
    with pytest.raises(EmailTaken) as exc:
        register(email="NINA@nova.EXAMPLE", company_name="Other")
    assert "already exists" in exc.value.message
    assert Customer.objects.count() == customers


@pytest.mark.parametrize("password", ["short", "12345678901", "password123"])
def test_weak_password_is_refused_and_nothing_is_created(password):
    with pytest.raises(WeakPassword) as exc:
        register(password=password)
    assert exc.value.extra["password"]
    assert not User.objects.filter(email="nina@nova.example").exists()
    assert not Customer.objects.filter(company_name="Nova Shop").exists()


def test_customer_open_with_owner_is_all_or_nothing(make_staff):
    sales = make_staff("sales")
    register(email="taken@x.example")
    before = Customer.objects.count()
    with pytest.raises(EmailTaken):
        customer_open(
            actor=sales,
            company_name="Z",
            contact_name="Z",
            contact_email="z@z.example",
            owner_email="taken@x.example",
            owner_password="another-long-one-8",
        )
    assert Customer.objects.count() == before


def test_customer_update_sets_level_and_reps(make_staff, customer_a):
    from apps.accounts.models import CustomerLevel

    sales, rep = make_staff("sales"), make_staff("customer_service")
    gold = CustomerLevel.objects.get(code="gold")
    customer_update(actor=sales, customer=customer_a, level=gold, service_rep=rep)
    customer_a.refresh_from_db()
    assert customer_a.level == gold and customer_a.service_rep == rep


def test_api_key_is_stored_hashed_and_authenticates_until_revoked(user_a):
    with customer_scope(user_a.customer):
        issued = api_key_create(actor=user_a, name="Shopify sync")
    assert issued.raw_key.startswith("fh_")
    with scopes_disabled():
        stored = ApiKey.objects.get(pk=issued.api_key.pk)
    assert issued.raw_key not in (stored.key_hash, stored.prefix)
    assert issued.raw_key.startswith(stored.prefix)

    check = api_key_authenticate(raw_key=issued.raw_key)
    assert check.api_key.pk == stored.pk and check.api_key.last_used_at is not None

    with customer_scope(user_a.customer):
        api_key_revoke(actor=user_a, api_key=stored)
        with pytest.raises(ApiKeyRevoked):
            api_key_revoke(actor=user_a, api_key=stored)
    check = api_key_authenticate(raw_key=issued.raw_key)
    assert check.api_key is None and check.error_code == "api_key_revoked"
    assert api_key_authenticate(raw_key="fh_nonsense").error_code == "invalid_api_key"


def test_suspended_customer_keys_stop_working(user_a, make_staff):
    with customer_scope(user_a.customer):
        issued = api_key_create(actor=user_a, name="k")
    customer_update(actor=make_staff("admin"), customer=user_a.customer, status=CustomerStatus.SUSPENDED)
    assert api_key_authenticate(raw_key=issued.raw_key).error_code == "customer_suspended"


def test_scoped_models_refuse_unscoped_queries(user_a):
    with pytest.raises(ScopeError):
        list(ApiKey.objects.all())


def test_customer_users_cannot_be_staff(customer_a):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="x@y.example", customer=customer_a, customer_role="owner", is_staff=True)
