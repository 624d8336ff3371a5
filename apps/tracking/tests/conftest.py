"""Shipped orders for tracking tests, made the way the brief allows: real orders from the order
services (the orders app's ``world``), then moved to Shipped with a tracking number directly,
standing in for the warehouse's hand-over."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes.state import state

from apps.orders.models import Order
from apps.orders.services import order_create
from apps.orders.tests.conftest import world  # noqa: F401

HANDED_OVER = timedelta(days=2)


@pytest.fixture
def make_order(world):  # noqa: F811
    """make_order(status="shipped", tracking="1Z…", ref="", shipped_ago=2 days) → a fresh order."""

    def make(status="shipped", tracking="", ref="", shipped_ago=HANDED_OVER):
        order = order_create(actor=world.user, data=world.data(external_ref=ref))
        changes = {"status": status, "channel": world.ground}
        if status in ("shipped", "delivered", "returned"):
            changes.update(
                tracking_number=tracking,
                shipped_at=timezone.now() - shipped_ago,
                packed_at=timezone.now() - shipped_ago,
            )
        if status == "delivered":
            changes["delivered_at"] = timezone.now() - timedelta(hours=1)
        Order.objects.filter(pk=order.pk).update(**changes)
        order.refresh_from_db()
        return order

    return make


@pytest.fixture
def shipped(make_order):
    return make_order(tracking="1Z9FH0010300000014")


@contextmanager
def _no_scope():
    token = state.set(None)
    try:
        yield
    finally:
        state.reset(token)


@pytest.fixture
def anonymous():
    """``with anonymous():`` runs a block with no tenant scope at all, as an anonymous request
    really does (the ``world`` fixture keeps customer A's scope open around the test)."""
    return _no_scope
