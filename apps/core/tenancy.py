"""Structural tenancy (STYLE rule 10), a thin layer over django-scopes.

Customer-owned models declare ``objects = CustomerScopedManager()``; any query on them outside a
scope raises ``ScopeError`` instead of leaking another customer's rows.
"""

from django_scopes import ScopedManager, scope, scopes_disabled


def CustomerScopedManager(**kwargs):  # noqa: N802 - reads like a class at the call site
    """A manager that only runs inside ``customer_scope(...)`` or ``staff_scope()``."""
    return ScopedManager(customer="customer", **kwargs)


def customer_scope(customer):
    """Run the block as this customer: scoped queries see only its rows."""
    return scope(customer=customer)


def staff_scope():
    """Leave the customer scope (staff code only, after a staff permission check)."""
    return scopes_disabled()
