"""Every write in accounts: customers, users, API keys."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.services import sequence_next, sequence_reserve
from apps.core.task_names import task_send_on_commit
from apps.core.tenancy import staff_scope

from .choices import CustomerRole, CustomerStatus
from .errors import ApiKeyNotFound, ApiKeyRevoked, CustomerSuspended, EmailTaken, WeakPassword
from .models import ApiKey, Customer, CustomerLevel, User
from .selectors import default_customer_level

CUSTOMER_CODE_START = 10000  # the first customer is C10001
API_KEY_PREFIX = "fh_"
API_KEY_TOUCH_INTERVAL = timedelta(minutes=1)


def _normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_email_free(email: str) -> None:
    if User.objects.filter(email__iexact=email).exists():
        raise EmailTaken(
            f"An account with the e-mail {email} already exists. Sign in, or reset the password.",
            extra={"email": ["This e-mail address is already registered."]},
        )


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise WeakPassword(" ".join(exc.messages), extra={"password": list(exc.messages)}) from exc


def _next_customer_code() -> str:
    return f"C{sequence_next(name='customer', start=CUSTOMER_CODE_START)}"


@transaction.atomic
def customer_create(
    *,
    actor: User | None,
    company_name: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str = "",
    level: CustomerLevel | None = None,
    service_rep: User | None = None,
    sales_rep: User | None = None,
    code: str | None = None,
) -> Customer:
    """Open a customer account with the next code (C10001, C10002, …), or with the given code
    (demo data, migrations from another system); the sequence then moves past it."""
    if code:
        sequence_reserve(name="customer", value=int(code.lstrip("C")))
    return Customer.objects.create(
        code=code or _next_customer_code(),
        company_name=company_name.strip(),
        contact_name=contact_name.strip(),
        contact_email=_normalise_email(contact_email),
        contact_phone=contact_phone.strip(),
        level=level or default_customer_level(),
        service_rep=service_rep,
        sales_rep=sales_rep,
    )


@transaction.atomic
def customer_open(*, actor: User, owner_email: str = "", owner_password: str = "", **customer_fields) -> Customer:
    """Sales open an account, optionally with the owner's first login; all or nothing."""
    if owner_email:
        _check_email_free(_normalise_email(owner_email))
    customer = customer_create(actor=actor, **customer_fields)
    if owner_email:
        customer_user_create(
            customer=customer,
            email=owner_email,
            password=owner_password,
            full_name=customer.contact_name,
            role=CustomerRole.OWNER,
        )
    return customer


@transaction.atomic
def customer_update(*, actor: User, customer: Customer, **fields) -> Customer:
    """Sales set the level, reps and contact details; the code never changes."""
    allowed = {
        "company_name",
        "contact_name",
        "contact_email",
        "contact_phone",
        "level",
        "service_rep",
        "sales_rep",
        "status",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"customer_update does not change {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(customer, name, value)
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def customer_user_create(
    *,
    customer: Customer,
    email: str,
    password: str,
    full_name: str = "",
    role: str = CustomerRole.MEMBER,
) -> User:
    """Add a user to a customer account, checking the e-mail is free and the password strong."""
    email = _normalise_email(email)
    _check_email_free(email)
    user = User(email=email, full_name=full_name.strip(), customer=customer, customer_role=role)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def customer_register(*, company_name: str, contact_name: str, email: str, password: str, phone: str = "") -> User:
    """Self-registration: creates the customer and its owner user, then sends the welcome
    e-mail once the transaction has committed."""
    email = _normalise_email(email)
    _check_email_free(email)
    _check_password(password, User(email=email, full_name=contact_name))
    customer = customer_create(
        actor=None,
        company_name=company_name,
        contact_name=contact_name,
        contact_email=email,
        contact_phone=phone,
    )
    user = customer_user_create(
        customer=customer,
        email=email,
        password=password,
        full_name=contact_name,
        role=CustomerRole.OWNER,
    )
    task_send_on_commit("accounts.send_welcome_email", user.pk)
    return user


def user_welcome_mark_sent(*, user_id: int) -> bool:
    """Claim the welcome e-mail for this user; True only for the first caller (idempotency)."""
    return bool(User.objects.filter(pk=user_id, welcome_sent_at__isnull=True).update(welcome_sent_at=timezone.now()))


@transaction.atomic
def staff_user_create(*, email: str, password: str, full_name: str = "", roles=()) -> User:
    from django.contrib.auth.models import Group

    email = _normalise_email(email)
    _check_email_free(email)
    user = User(email=email, full_name=full_name, is_staff=True)
    user.set_password(password)
    user.save()
    user.groups.set(Group.objects.filter(name__in=[str(r) for r in roles]))
    return user


# --- API keys ----------------------------------------------------------------------------------


def _hash_key(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedApiKey:
    api_key: ApiKey
    raw_key: str  # shown to the user once, never stored


@transaction.atomic
def api_key_create(*, actor: User, name: str) -> IssuedApiKey:
    """Make a new API key for the actor's customer. The raw key is returned only here."""
    if actor.customer_id is None:
        raise ApiKeyNotFound("Only customer users can hold API keys.")
    if actor.customer.status == CustomerStatus.SUSPENDED:
        raise CustomerSuspended("This customer account is suspended; no new API keys can be made.")
    raw = API_KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        customer_id=actor.customer_id,
        user=actor,
        name=name.strip() or "API key",
        prefix=raw[: len(API_KEY_PREFIX) + 6],
        key_hash=_hash_key(raw),
    )
    return IssuedApiKey(api_key=key, raw_key=raw)


@transaction.atomic
def api_key_revoke(*, actor: User, api_key: ApiKey) -> ApiKey:
    """Revoke a key for good; requests with it answer 401 from now on."""
    if api_key.revoked_at is not None:
        raise ApiKeyRevoked(f"The key “{api_key.name}” was already revoked.")
    api_key.revoked_at = timezone.now()
    api_key.revoked_by = actor
    api_key.save(update_fields=["revoked_at", "revoked_by"])
    return api_key


@dataclass(frozen=True)
class ApiKeyCheck:
    api_key: ApiKey | None
    error_code: str = ""
    error_message: str = ""


def api_key_authenticate(*, raw_key: str) -> ApiKeyCheck:
    """Find the active key for a request and note when it was last used.

    Runs before any customer scope exists (it is what decides the scope), hence staff_scope.
    """
    with staff_scope():
        # The user's customer too: the tenant scope of the request is entered from it.
        key = (
            ApiKey.objects.select_related("user__customer", "customer")
            .filter(key_hash=_hash_key(raw_key.strip()))
            .first()
        )
        if key is None:
            return ApiKeyCheck(None, "invalid_api_key", "The API key is not valid.")
        if key.revoked_at is not None:
            return ApiKeyCheck(None, "api_key_revoked", "This API key has been revoked. Make a new one in the portal.")
        if not key.user.is_active:
            return ApiKeyCheck(None, "user_inactive", "The user who owns this API key is deactivated.")
        if key.customer.status == CustomerStatus.SUSPENDED:
            return ApiKeyCheck(None, "customer_suspended", "This customer account is suspended.")
        now = timezone.now()
        if key.last_used_at is None or now - key.last_used_at > API_KEY_TOUCH_INTERVAL:
            # At most one write a minute per key, not one per request.
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
    return ApiKeyCheck(key)


def notifications_set(*, user, email_delivery_exceptions: bool) -> None:
    """The user's own notification choices (the Notifications page)."""
    user.email_delivery_exceptions = bool(email_delivery_exceptions)
    user.save(update_fields=["email_delivery_exceptions"])
