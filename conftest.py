"""Fixtures every test may use: customers A and B, their users, staff users by role, clients."""

import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from apps.accounts.tests.factories import CustomerFactory, CustomerUserFactory, StaffUserFactory

PASSWORD = "correct-horse-battery-9"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def customer_a(db):
    return CustomerFactory(company_name="Alpha Goods")


@pytest.fixture
def customer_b(db):
    return CustomerFactory(company_name="Beta Supplies")


@pytest.fixture
def user_a(customer_a):
    return CustomerUserFactory(customer=customer_a, email="owner@alpha.example")


@pytest.fixture
def user_b(customer_b):
    return CustomerUserFactory(customer=customer_b, email="owner@beta.example")


@pytest.fixture
def make_staff(db):
    def make(*roles, **kwargs):
        return StaffUserFactory(roles=roles, **kwargs)

    return make


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def unscoped():
    """Tests that set up or inspect data across customers run outside any scope explicitly."""
    with scopes_disabled():
        yield
