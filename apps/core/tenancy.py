"""Structural tenancy (STYLE rule 10), a thin layer over django-scopes.

Customer-owned models declare ``objects = CustomerScopedManager()``; any query on them outside a
scope raises ``ScopeError`` instead of leaking another customer's rows. Child rows without a
customer key of their own name the path to it: ``CustomerScopedManager(customer="order__customer")``.
"""

from django_scopes import ScopedManager, scope, scopes_disabled


def CustomerScopedManager(customer="customer", **kwargs):  # noqa: N802 - reads like a class at the call site
    """A manager that only runs inside ``customer_scope(...)`` or ``staff_scope()``; ``customer`` is
    the lookup from the model to its customer (a parent's, for child rows)."""
    return ScopedManager(customer=customer, **kwargs)


def customer_scope(customer):
    """Run the block as this customer: scoped queries see only its rows."""
    return scope(customer=customer)


def staff_scope():
    """Leave the customer scope (staff code only, after a staff permission check)."""
    return scopes_disabled()


def in_customer_scope(func):
    """For Celery tasks: the task takes ``customer_id`` and runs inside that customer's scope.

    Tasks receive ids, never objects (STYLE rule 8), so the scope is re-entered here from the id.
    """
    import functools

    @functools.wraps(func)
    def wrapper(*args, customer_id: int, **kwargs):
        from django.apps import apps

        customer = apps.get_model("accounts", "Customer").objects.get(pk=customer_id)
        with customer_scope(customer):
            return func(*args, customer=customer, **kwargs)

    # Celery checks call arguments against the signature: it must show customer_id, not customer.
    del wrapper.__wrapped__
    return wrapper
