"""The tenant-isolation sweep: walks every route of the project.

For each customer-scoped route it checks that customer B gets 404 for customer A's object and
never sees A's rows in a list; every back-office route answers a customer with 403. A route the
sweep does not know (see tests/tenancy_registry.py) fails the sweep, so nobody can forget one.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import tenancy_registry as reg

KNOWN_NAMES = (
    set(reg.CUSTOMER_OBJECTS)
    | set(reg.CUSTOMER_LISTS)
    | set(reg.CUSTOMER_PAGES)
    | set(reg.PUBLIC)
    | set(reg.CUSTOMER_BULK)
)


def walk(resolver=None, namespace=None, prefix=""):
    """Yield (qualified name, route text, namespace path) for every URL pattern."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = ":".join(filter(None, [namespace, ns])) if ns else namespace
            yield from walk(entry, full_ns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = entry.name
            qualified = f"{namespace}:{name}" if namespace and name else name
            yield qualified, prefix + str(entry.pattern), namespace or ""


ROUTES = list(walk())


def test_every_route_is_known_to_the_sweep():
    unknown = []
    for name, route, namespace in ROUTES:
        top = namespace.split(":")[0]
        if top in reg.STAFF_NAMESPACES or top in reg.ADMIN_NAMESPACES:
            continue
        if name is None or name not in KNOWN_NAMES:
            unknown.append(f"{name or '(unnamed)'} -> /{route}")
    assert not unknown, (
        "Routes the tenant-isolation sweep does not know how to exercise; add each to "
        "tests/tenancy_registry.py:\n  " + "\n  ".join(unknown)
    )


def test_registry_names_real_routes():
    names = {name for name, _route, _ns in ROUTES}
    stale = sorted(KNOWN_NAMES - names)
    assert not stale, f"tests/tenancy_registry.py lists routes that no longer exist: {stale}"


def _call(client, method, url):
    return getattr(client, method)(url) if method == "get" else getattr(client, method)(url, {})


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(reg.CUSTOMER_OBJECTS))
def test_other_customers_object_is_404(client, user_a, user_b, name):
    case = reg.CUSTOMER_OBJECTS[name]
    obj = case.make(user_a)
    url = reverse(name, kwargs=case.kwargs(obj))
    client.force_login(user_b)
    for method in case.methods:
        response = _call(client, method, url)
        assert response.status_code == 404, f"{method.upper()} {url} as another customer: {response.status_code}"
    # The same request by the owner does reach the object (so the 404 above proves isolation).
    client.force_login(user_a)
    for method in case.methods:
        assert _call(client, method, url).status_code != 404, f"{method.upper()} {url} as its owner"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(reg.CUSTOMER_LISTS))
def test_lists_never_show_other_customers_rows(client, user_a, user_b, name):
    case = reg.CUSTOMER_LISTS[name]
    marker = case.marker(case.make(user_a))
    url = reverse(name)
    client.force_login(user_a)
    own = client.get(url, case.query)
    assert own.status_code == 200 and marker in own.content.decode(), "the owner must see the row"
    client.force_login(user_b)
    other = client.get(url, case.query)
    assert other.status_code == 200
    assert marker not in other.content.decode(), f"{url} shows customer A's row to customer B"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(reg.CUSTOMER_BULK))
def test_bulk_routes_ignore_other_customers_ids(client, user_a, user_b, name):
    make, check = reg.CUSTOMER_BULK[name]
    obj = make(user_a)
    client.force_login(user_b)
    check(client, obj)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(reg.CUSTOMER_PAGES))
def test_customer_pages_answer_their_customer(client, user_a, name):
    client.force_login(user_a)
    method, kwargs, *expected = reg.PAGE_REQUESTS.get(name, ("get", {}))
    response = _call(client, method, reverse(name, kwargs=kwargs))
    assert response.status_code == (expected[0] if expected else 200)


def _fill(route: str) -> str:
    """Turn a route pattern into a concrete path with harmless sample values."""
    path = re.sub(r"<int:\w+>", "1", route)
    path = re.sub(r"<(?:str|slug|uuid|path):\w+>|<\w+>", "x", path)
    path = re.sub(r"\^|\$|\\", "", path)
    return "/" + path


STAFF_ROUTES = [(n, r) for n, r, ns in ROUTES if ns.split(":")[0] in reg.STAFF_NAMESPACES]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route"), STAFF_ROUTES, ids=[n or r for n, r in STAFF_ROUTES])
def test_customers_get_403_on_every_back_office_route(client, user_a, name, route):
    client.force_login(user_a)
    path = _fill(route)
    for method in ("get", "post"):
        response = _call(client, method, path)
        assert response.status_code == 403, f"{method.upper()} {path}: {response.status_code}"
