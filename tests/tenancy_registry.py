"""What the tenant-isolation sweep knows about every route (tests/test_tenant_isolation.py).

Every URL pattern of the project must appear in exactly one of these tables, by its qualified
name. A new customer-facing route that is not listed makes the sweep fail: add it to
CUSTOMER_OBJECTS (it takes an object's key), CUSTOMER_LISTS (it lists a customer's rows) or
CUSTOMER_PAGES (it shows no customer-owned rows, with the reason), with a ``make`` function
that creates one object owned by a given customer user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apps.accounts.services import api_key_create
from apps.core.tenancy import customer_scope


@dataclass(frozen=True)
class ObjectRoute:
    """A route addressing one customer-owned object."""

    make: Callable[[Any], Any]  # (owner user) -> object, called outside any scope
    kwargs: Callable[[Any], dict]  # object -> URL kwargs
    methods: tuple[str, ...] = ("get",)


@dataclass(frozen=True)
class ListRoute:
    """A route listing customer-owned rows: the owner's marker shows, nobody else's does."""

    make: Callable[[Any], Any]
    marker: Callable[[Any], str]
    query: dict = field(default_factory=dict)


def make_api_key(user):
    with customer_scope(user.customer):
        return api_key_create(actor=user, name=f"key-of-{user.customer.code}").api_key


CUSTOMER_OBJECTS: dict[str, ObjectRoute] = {
    "accounts:api-key-revoke": ObjectRoute(make_api_key, lambda k: {"pk": k.pk}, ("post",)),
    "api:api-key-detail": ObjectRoute(make_api_key, lambda k: {"pk": k.pk}, ("get",)),
    "api:api-key-revoke": ObjectRoute(make_api_key, lambda k: {"pk": k.pk}, ("post",)),
}

CUSTOMER_LISTS: dict[str, ListRoute] = {
    "accounts:api-keys": ListRoute(make_api_key, lambda k: k.name),
    "api:api-key-list": ListRoute(make_api_key, lambda k: k.name),
}

# Customer pages that show no customer-owned rows of their own (say why).
CUSTOMER_PAGES: dict[str, str] = {
    "portal:dashboard": "shows the signed-in customer's own account facts and counts",
    "portal:module": "a module landing page with no rows yet",
    "api:me": "the signed-in user and their own customer",
    "accounts:password-change": "the signed-in user's own password",
}

# Routes anyone may open, signed in or not.
PUBLIC: dict[str, str] = {
    "home": "redirects by who is signed in",
    "healthz": "health check",
    "api-schema": "OpenAPI schema",
    "api-docs": "API documentation",
    "accounts:login": "sign in",
    "accounts:logout": "sign out",
    "accounts:register": "self-registration",
    "accounts:password-reset": "asks for a reset link",
    "accounts:password-reset-confirm": "token-protected reset form",
    "tracking:track": "public parcel tracking (up to 40 numbers)",
}

# Namespaces behind a staff permission: the sweep checks a customer user gets 403 on each.
STAFF_NAMESPACES = ("backoffice",)
# Django admin: superusers only (tested in apps/backoffice/tests).
ADMIN_NAMESPACES = ("admin",)
