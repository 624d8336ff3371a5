from decimal import Decimal

import pytest
from django_scopes import scopes_disabled

from apps.catalog.errors import DuplicateSku, ProductInvalid, UpcAlreadySet
from apps.catalog.models import GeneratedUpc, Product, ProductMeasurement
from apps.catalog.rules import clean_product, gs1_check_digit, upc_problem
from apps.catalog.services import (
    product_apply_upc,
    product_create,
    product_set_measurements,
    product_update,
    products_import,
    products_set_active,
    upc_generate,
)
from apps.core.tenancy import customer_scope
from apps.core.testing import require_postgresql, run_concurrently

pytestmark = pytest.mark.django_db

BASE = {"sku": "TEE-RED-M", "name": "T-shirt red M", "declared_value": "12.50"}


def create(user, **overrides):
    with customer_scope(user.customer):
        return product_create(actor=user, data={**BASE, **overrides})


def test_create_normalises_and_keeps_declared_values(user_a):
    p = create(user_a, currency="eur", origin_country="china", hs_code="6109.10", length_cm="30", weight_g="180")
    assert (p.currency, p.origin_country, p.hs_code) == ("EUR", "CN", "610910")
    assert p.declared_value == Decimal("12.50") and p.length_cm == Decimal("30.0") and p.weight_g == 180
    assert p.weight_g_effective == 180 and not p.is_measured


def test_duplicate_sku_is_refused_case_insensitively_but_other_customers_may_use_it(user_a, user_b):
    create(user_a)
    with pytest.raises(DuplicateSku) as exc:
        create(user_a, sku="tee-red-m")
    assert "already have a product with SKU" in exc.value.message
    create(user_b)  # another customer's namespace


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("upc", "012345678906", "check digit is wrong"),
        ("upc", "12345", "12 digits"),
        ("length_cm", "-1", "more than 0"),
        ("length_cm", "5000", "at most 300"),
        ("weight_g", "12.5", "whole grams"),
        ("weight_g", "abc", "must be a number"),
        ("declared_value", "", "is required"),
        ("name", "", "is required"),
        ("origin_country", "Atlantis", "not a country"),
        ("currency", "XXXY", "not a currency"),
        ("hs_code", "12", "6 to 10 digits"),
        ("sku", "TAB\there", "letters, digits"),
    ],
)
def test_bad_fields_are_refused_with_the_reason_and_nothing_is_saved(user_a, field, value, message):
    with pytest.raises(ProductInvalid) as exc:
        create(user_a, **{field: value})
    assert any(message in m for m in exc.value.extra[field])
    with scopes_disabled():
        assert not Product.objects.exists()


def test_valid_upc_forms_are_accepted(user_a):
    body = "03600029145"
    upc_a = body + str(gs1_check_digit(body))
    assert upc_problem(upc_a) is None and upc_problem("4006381333931") is None  # EAN-13
    create(user_a, upc=upc_a)
    create(user_a, sku="SAME", upc="SAME")  # the UPC may equal the SKU code


def test_upc_becomes_the_sku_when_there_is_none(user_a):
    with customer_scope(user_a.customer):
        upc = upc_generate(customer=user_a.customer)
    product = create(user_a, sku="", upc=upc)
    assert product.sku == upc


def test_generated_upcs_are_valid_upc_a_and_never_repeat(user_a, user_b, settings):
    upcs = [upc_generate(customer=u.customer) for u in (user_a, user_b, user_a)]
    assert len(set(upcs)) == 3
    for upc in upcs:
        assert len(upc) == 12 and upc.startswith(settings.ST_UPC_PREFIX) and upc_problem(upc) is None


def test_generated_upc_skips_codes_someone_typed_in(user_a, user_b):
    with scopes_disabled():
        nxt = upc_generate(customer=user_a.customer)
    following = str(int(nxt[:-1]) + 1).zfill(11)
    taken = following + str(gs1_check_digit(following))
    create(user_b, sku="TYPED", upc=taken)
    assert upc_generate(customer=user_a.customer) not in (nxt, taken)


def test_generated_upc_skips_codes_generated_for_another_customer(user_a, user_b):
    with customer_scope(user_a.customer):
        nxt = upc_generate(customer=user_a.customer)
    following = str(int(nxt[:-1]) + 1).zfill(11)
    taken = following + str(gs1_check_digit(following))
    GeneratedUpc.objects.create(upc=taken, customer=user_b.customer)  # e.g. left by an earlier prefix
    with customer_scope(user_a.customer):  # the check looks past the scope: UPCs are global
        assert upc_generate(customer=user_a.customer) not in (nxt, taken)
        assert GeneratedUpc.objects.count() == 2


def test_apply_upc_to_existing_product(user_a):
    product = create(user_a)
    with customer_scope(user_a.customer):
        product = product_apply_upc(actor=user_a, product=product)
        assert upc_problem(product.upc) is None
        with pytest.raises(UpcAlreadySet):
            product_apply_upc(actor=user_a, product=product)


@pytest.mark.django_db(transaction=True)
def test_concurrent_upc_generation_gives_distinct_codes(user_a):
    require_postgresql()
    results = run_concurrently(lambda: upc_generate(customer=user_a.customer), threads=8, repeat=5)
    assert len(set(results)) == 40
    with scopes_disabled():
        assert GeneratedUpc.objects.count() == 40


def test_update_changes_only_given_fields_and_checks_sku(user_a):
    product = create(user_a)
    create(user_a, sku="OTHER")
    with customer_scope(user_a.customer):
        product = product_update(actor=user_a, product=product, data={"name": "New name"})
        assert product.name == "New name" and product.sku == "TEE-RED-M"
        with pytest.raises(DuplicateSku):
            product_update(actor=user_a, product=product, data={"sku": "other"})


def test_deactivate_and_activate(user_a):
    products = [create(user_a, sku=f"S{i}") for i in range(3)]
    with customer_scope(user_a.customer):
        assert products_set_active(actor=user_a, products=products[:2], active=False) == 2
        assert products_set_active(actor=user_a, products=products, active=False) == 1
        assert not Product.objects.filter(is_active=True).exists()


def test_measurements_take_over_and_are_audited(user_a, make_staff):
    product = create(user_a, length_cm="30", weight_g="180")
    clerk = make_staff("warehouse")
    with scopes_disabled():
        product = product_set_measurements(
            actor=clerk, product=product, data={"measured_length_cm": "31.5", "measured_weight_g": "195"}
        )
        assert product.length_cm_effective == Decimal("31.5") and product.weight_g_effective == 195
        assert product.width_cm_effective is None
        entry = ProductMeasurement.objects.get(product=product)
        assert entry.actor == clerk and entry.old == {"measured_length_cm": None, "measured_weight_g": None}
        assert entry.new == {"measured_length_cm": "31.5", "measured_weight_g": "195"}
        with pytest.raises(ProductInvalid):
            product_set_measurements(actor=clerk, product=product, data={"measured_weight_g": "-3"})
        assert ProductMeasurement.objects.count() == 1


def test_bulk_import_agrees_with_product_create(user_a, user_b):
    raw = {
        "sku": "A1",
        "upc": "",
        "name": " Mug ",
        "customs_name": "Ceramic mug",
        "category": "Home",
        "declared_value": 4.5,
        "currency": "usd",
        "hs_code": "6912.00",
        "origin_country": "CN",
        "length_cm": 10,
        "width_cm": 8.04,
        "height_cm": 9,
        "weight_g": 350.0,
    }
    one = create(user_b, **raw)
    with customer_scope(user_a.customer):
        check = products_import(actor=user_a, customer=user_a.customer, rows=[(2, raw)])
        assert not check.problems
        many = Product.objects.get(sku="A1")
    fields = list(clean_product({}).values)
    assert {f: getattr(many, f) for f in fields} == {f: getattr(one, f) for f in fields}


def test_import_reports_every_problem_and_imports_nothing(user_a):
    create(user_a, sku="EXISTS")
    rows = [
        (2, {**BASE, "sku": "OK-1"}),
        (3, {**BASE, "sku": "exists"}),
        (4, {**BASE, "sku": "DUP"}),
        (5, {**BASE, "sku": "dup", "length_cm": "-4"}),
        (6, {**BASE, "sku": "OK-2", "upc": "012345678906"}),
    ]
    with customer_scope(user_a.customer):
        check = products_import(actor=user_a, customer=user_a.customer, rows=rows)
        assert Product.objects.count() == 1
        found = {(p.row, p.field) for p in check.problems}
        assert found == {(3, "sku"), (5, "sku"), (5, "length_cm"), (6, "upc")}
        assert any("appears twice in the file (row 4)" in p.message for p in check.problems)

        check = products_import(actor=user_a, customer=user_a.customer, rows=rows, only_valid=True)
        assert sorted(Product.objects.values_list("sku", flat=True)) == ["DUP", "EXISTS", "OK-1"]
