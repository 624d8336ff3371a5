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

from django.urls import reverse
from django_scopes import scopes_disabled

from tests.tenancy_makers import (
    make_api_key,
    make_batch_job,
    make_channel,
    make_connection,
    make_entry,
    make_finished_batch_job,
    make_finished_job,
    make_import_job,
    make_inbound,
    make_international_order,
    make_order,
    make_product,
    make_sku_mapping,
    make_slip,
    make_stock,
    make_storage_fee,
    make_topup,
    make_warehouse,
)


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


CUSTOMER_OBJECTS: dict[str, ObjectRoute] = {
    "integrations:connection-events": ObjectRoute(make_connection, lambda c: {"pk": c.pk}),
    "integrations:connection-sync": ObjectRoute(make_connection, lambda c: {"pk": c.pk}, ("post",)),
    "integrations:connection-pause": ObjectRoute(make_connection, lambda c: {"pk": c.pk}, ("post",)),
    "integrations:connection-register": ObjectRoute(make_connection, lambda c: {"pk": c.pk}, ("post",)),
    "integrations:connection-resume": ObjectRoute(make_connection, lambda c: {"pk": c.pk}, ("post",)),
    "integrations:connection-disconnect": ObjectRoute(make_connection, lambda c: {"pk": c.pk}, ("post",)),
    "integrations:connection-stock": ObjectRoute(make_connection, lambda c: {"pk": c.pk}, ("post",)),
    "integrations:sku-map": ObjectRoute(
        make_sku_mapping, lambda m: {"pk": m.connection_id, "mapping_pk": m.pk}, ("post",)
    ),
    "accounts:api-key-revoke": ObjectRoute(make_api_key, lambda k: {"pk": k.pk}, ("post",)),
    "api:api-key-detail": ObjectRoute(make_api_key, lambda k: {"pk": k.pk}, ("get",)),
    "api:api-key-revoke": ObjectRoute(make_api_key, lambda k: {"pk": k.pk}, ("post",)),
    "catalog:product-detail": ObjectRoute(make_product, lambda p: {"pk": p.pk}),
    "catalog:product-update": ObjectRoute(make_product, lambda p: {"pk": p.pk}, ("get", "post")),
    "catalog:product-apply-upc": ObjectRoute(make_product, lambda p: {"pk": p.pk}, ("post",)),
    "api:product-detail": ObjectRoute(make_product, lambda p: {"pk": p.pk}, ("get", "put", "patch")),
    "api:product-apply-upc": ObjectRoute(make_product, lambda p: {"pk": p.pk}, ("post",)),
    "catalog:product-import-job": ObjectRoute(make_import_job, lambda j: {"pk": j.pk}),
    "catalog:product-import-valid-only": ObjectRoute(make_finished_job, lambda j: {"pk": j.pk}, ("post",)),
    "documents:job": ObjectRoute(make_import_job, lambda j: {"pk": j.pk}),
    "documents:job-file": ObjectRoute(make_finished_job, lambda j: {"pk": j.pk, "which": "result"}),
    "api:job-detail": ObjectRoute(make_import_job, lambda j: {"pk": j.pk}),
    "inventory:sku-movements": ObjectRoute(make_stock, lambda p: {"pk": p.pk}),
    "inventory:low-stock-threshold": ObjectRoute(make_stock, lambda p: {"pk": p.pk}, ("post",)),
    "inbound:detail": ObjectRoute(make_inbound, lambda i: {"pk": i.pk}),
    "inbound:lines": ObjectRoute(make_inbound, lambda i: {"pk": i.pk}, ("get", "post")),
    "inbound:packing": ObjectRoute(make_inbound, lambda i: {"pk": i.pk}, ("get", "post")),
    "inbound:shipping": ObjectRoute(make_inbound, lambda i: {"pk": i.pk}, ("post",)),
    "inbound:submit": ObjectRoute(make_inbound, lambda i: {"pk": i.pk}, ("post",)),
    "inbound:cancel": ObjectRoute(make_inbound, lambda i: {"pk": i.pk}, ("post",)),
    "inbound:document": ObjectRoute(make_inbound, lambda i: {"pk": i.pk, "kind": "box-marks.pdf"}),
    "inbound:slip-detail": ObjectRoute(make_slip, lambda s: {"pk": s.pk}),
    "api:inbound-order-detail": ObjectRoute(make_inbound, lambda i: {"number": i.number}, ("get", "patch")),
    "api:inbound-order-submit": ObjectRoute(make_inbound, lambda i: {"number": i.number}, ("post",)),
    "api:inbound-order-cancel": ObjectRoute(make_inbound, lambda i: {"number": i.number}, ("post",)),
    "api:billing-top-up-detail": ObjectRoute(make_topup, lambda t: {"number": t.number}),
    "billing:topup-voucher": ObjectRoute(make_topup, lambda t: {"pk": t.pk}),
    "orders:detail": ObjectRoute(make_order, lambda o: {"number": o.number}),
    "orders:customs": ObjectRoute(make_international_order, lambda o: {"number": o.number}),
    "orders:batch-job": ObjectRoute(make_batch_job, lambda j: {"pk": j.pk}),
    "orders:batch-valid-only": ObjectRoute(make_finished_batch_job, lambda j: {"pk": j.pk}, ("post",)),
    "orders:edit": ObjectRoute(make_order, lambda o: {"number": o.number}, ("get", "post")),
    "orders:submit": ObjectRoute(make_order, lambda o: {"number": o.number}, ("post",)),
    "orders:cancel": ObjectRoute(make_order, lambda o: {"number": o.number}, ("post",)),
    "orders:copy": ObjectRoute(make_order, lambda o: {"number": o.number}, ("post",)),
    "api:inbound-order-documents": ObjectRoute(make_inbound, lambda i: {"number": i.number, "kind": "box-marks.pdf"}),
    "api:order-detail": ObjectRoute(make_order, lambda o: {"number": o.number}, ("get", "patch")),
    "api:order-submit": ObjectRoute(make_order, lambda o: {"number": o.number}, ("post",)),
    "api:order-cancel": ObjectRoute(make_order, lambda o: {"number": o.number}, ("post",)),
    "api:order-copy": ObjectRoute(make_order, lambda o: {"number": o.number}, ("post",)),
}

CUSTOMER_LISTS: dict[str, ListRoute] = {
    "integrations:shops": ListRoute(make_connection, lambda c: c.display_name),
    # The connect form offers the customer's own warehouses as the default warehouse.
    "integrations:connect-shopify": ListRoute(make_warehouse, lambda w: w.code),
    "integrations:woocommerce-connect": ListRoute(make_warehouse, lambda w: w.code),
    "integrations:connect-ebay": ListRoute(make_warehouse, lambda w: w.code),
    "accounts:api-keys": ListRoute(make_api_key, lambda k: k.name),
    "api:api-key-list": ListRoute(make_api_key, lambda k: k.name),
    "catalog:product-list": ListRoute(make_product, lambda p: p.sku),
    "api:product-list": ListRoute(make_product, lambda p: p.sku),
    "documents:download-centre": ListRoute(make_import_job, lambda j: j.title),
    "catalog:product-import": ListRoute(make_import_job, lambda j: j.title),
    "inventory:list": ListRoute(make_stock, lambda p: p.sku),
    "api:inventory-list": ListRoute(make_stock, lambda p: p.sku),
    "api:inventory-movement-list": ListRoute(make_stock, lambda p: p.sku),
    "inbound:list": ListRoute(make_inbound, lambda i: i.number),
    "inbound:slip-list": ListRoute(make_slip, lambda s: s.inbound.number),
    "api:inbound-order-list": ListRoute(make_inbound, lambda i: i.number),
    "api:order-list": ListRoute(make_order, lambda o: o.number),
    "orders:list": ListRoute(make_order, lambda o: o.number),
    "orders:batch": ListRoute(make_batch_job, lambda j: j.title),
    "orders:sku-search": ListRoute(make_product, lambda p: p.sku),
    "api:shipping-channel-list": ListRoute(make_channel, lambda c: c.code),
    "api:warehouse-list": ListRoute(make_warehouse, lambda w: w.code),
    "portal:settings": ListRoute(make_warehouse, lambda w: w.code),
    "api:billing-transaction-list": ListRoute(make_entry, lambda e: e.reference_id),
    "api:billing-top-up-list": ListRoute(make_topup, lambda t: t.number),
    "api:billing-storage-fee-list": ListRoute(make_storage_fee, lambda f: f.product.sku),
    "billing:recharge-record": ListRoute(make_topup, lambda t: t.number),
    "billing:transactions": ListRoute(make_entry, lambda e: e.reference),
    "billing:wallet": ListRoute(make_entry, lambda e: e.reference),
    "billing:storage-fees": ListRoute(make_storage_fee, lambda f: f.product.sku),
}


# Routes that act on objects named in the request body or query (ids): another customer's ids
# must change nothing and never come back. Each entry: (make, check(client of customer B, obj)).
def _bulk_deactivate(client, product):
    client.post(reverse("catalog:product-bulk"), {"ids": [product.pk], "action": "deactivate"})
    with scopes_disabled():
        assert type(product).objects.get(pk=product.pk).is_active, "B deactivated A's product"


def _labels(client, product):
    got = client.get(reverse("catalog:product-labels"), {"ids": [product.pk]})
    assert got.status_code == 302, "B was offered labels for A's product"
    posted = client.post(
        reverse("catalog:product-labels"), {"ids": [product.pk], "format": "a4-3x8", f"copies-{product.pk}": "1"}
    )
    assert posted.get("Content-Type") != "application/pdf", "B printed A's product label"


def _export(client, product, route="catalog:product-export"):
    import io

    import openpyxl

    response = client.post(reverse(route), follow=True)
    job = response.context["job"]
    with job.result_file.open("rb") as f:
        sheet = openpyxl.load_workbook(io.BytesIO(f.read())).active
    values = {str(c.value) for row in sheet.iter_rows() for c in row}
    assert product.sku not in values, "B's export holds A's product"


def _order_bulk_cancel(client, order):
    client.post(reverse("orders:bulk"), {"ids": [order.pk], "action": "cancel"})
    with scopes_disabled():
        assert type(order).objects.get(pk=order.pk).status == "confirming", "B cancelled A's order"


def _order_export(client, order):
    import io

    import openpyxl

    for kind in ("orders", "waybill"):
        response = client.post(reverse("orders:export"), {"kind": kind}, follow=True)
        job = response.context["job"]
        if not job.result_file:
            continue
        with job.result_file.open("rb") as f:
            sheet = openpyxl.load_workbook(io.BytesIO(f.read())).active
        values = {str(c.value) for row in sheet.iter_rows() for c in row}
        assert order.number not in values, "B's export holds A's order"


CUSTOMER_BULK: dict[str, tuple] = {
    "orders:bulk": (make_order, _order_bulk_cancel),
    "orders:export": (make_order, _order_export),
    "catalog:product-bulk": (make_product, _bulk_deactivate),
    "catalog:product-labels": (make_product, _labels),
    "catalog:product-export": (make_product, _export),
    "inventory:export": (make_stock, lambda client, product: _export(client, product, "inventory:export")),
}

# Customer pages that show no customer-owned rows of their own (say why).
CUSTOMER_PAGES: dict[str, str] = {
    "portal:dashboard": "shows the signed-in customer's own account facts and counts",
    "portal:tracking": "the public tracking form inside the portal (public answers; no customer rows)",
    "api:me": "the signed-in user and their own customer",
    "accounts:password-change": "the signed-in user's own password",
    "accounts:notifications": "the signed-in user's own notification choices",
    "catalog:product-create": "a form; the product is created for the signed-in customer",
    "catalog:apply-upc": "reserves a new UPC for the signed-in customer",
    "catalog:product-import-template": "the blank template",
    "inbound:create": "step 1 form; the inbound is created for the signed-in customer",
    "inbound:template": "blank templates",
    "orders:create": "a form; the order is created for the signed-in customer",
    "orders:batch-template": "the blank templates (notes name the customer's own warehouse codes)",
    "orders:recognize": "parses the posted text; no stored rows",
    "orders:quote": "prices the signed-in customer's own SKUs and channels; no stored rows",
    "shipping:quote": "prices the signed-in customer's channels; no stored rows",
    "api:shipping-quote": "prices the signed-in customer's channels; no stored rows",
    "api:order-batch": "an upload; the orders are imported for the signed-in customer",
    "api:billing-wallet": "the signed-in customer's own wallet",
    "billing:topup": "finance's payment accounts and the submit form; no customer rows",
    "integrations:install-shopify": "starts an OAuth install in the signed-in user's own session; no stored rows",
    # Customer-session-bound, not PUBLIC: Shopify redirects the merchant's browser here, signed in
    # to the portal; the state nonce lives in that user's session (with their customer's id), so
    # the connection can only be made for the customer who started the install. It addresses no
    # stored object by id: without the session's install it refuses, saves nothing, redirects.
    "integrations:shopify-oauth-callback": "finishes the signed-in user's own install (session state); no rows",
    "integrations:woocommerce-handshake": "sends the signed-in user to their store's approval page; no stored rows",
    # Customer-session-bound: WooCommerce sends the seller's browser back here with the signed
    # state our portal made (it names the user who started); another user is refused. It only
    # says what the callback did; it addresses no stored object by id.
    "integrations:woocommerce-return": "the signed-in user's own key handshake (signed state); no rows by id",
    # Like Shopify's callback: eBay sends the seller's signed-in browser back here (the RuName's
    # accepted URL); without this session's consent (its state) it refuses and saves nothing.
    "integrations:ebay-oauth-callback": "finishes the signed-in user's own eBay consent (session state); no rows",
}

# How to request a customer page when a plain GET without arguments is not it:
# (method, URL kwargs[, the status an empty request gets]).
PAGE_REQUESTS: dict[str, tuple] = {
    "orders:recognize": ("post", {}, 400),  # nothing pasted is a validation error
    "orders:batch-template": ("get", {"kind": "kickstarter"}),
    "orders:quote": ("post", {}, 400),  # no warehouse or SKUs yet
    "catalog:apply-upc": ("post", {}),
    "inbound:template": ("get", {"which": "skus"}),
    "api:shipping-quote": ("post", {}, 400),  # an empty quote request is a validation error
    "api:order-batch": ("post", {}, 400),  # an upload without a file is a validation error
    "integrations:install-shopify": ("post", {}, 200),  # no shop typed: the form again, with the errors
    "integrations:shopify-oauth-callback": ("get", {}, 302),  # no install in this session: refused
    "integrations:woocommerce-handshake": ("post", {}, 200),  # no store typed: the form again, with the errors
    "integrations:woocommerce-return": ("get", {}, 302),  # no signed state: refused, back to the connect page
    "integrations:ebay-oauth-callback": ("get", {}, 302),  # no consent in this session: refused
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
    "api:tracking": "public tracking API (up to 40 numbers; no customer or recipient data)",
    "tracking:webhook": "17TRACK push webhook: signed with the security key, answers 200/400/401; no customer data",
    "integrations:shopify-webhook": "Shopify webhook: signed with the connection's secret, answers only 200/401/404",
    "integrations:woocommerce-webhook": "WooCommerce webhook: signed with the connection's secret; 200/401/404",
    "integrations:woocommerce-callback": (
        "WooCommerce key handshake: the store POSTs keys; taken only with a state our portal signed; 200/400"
    ),
    "integrations:ebay-account-deletion": (
        "eBay's marketplace account deletion endpoint: the challenge hash, or a notification verified with eBay's "
        "key (412 otherwise); answers no customer data"
    ),
    "integrations:shopify-fulfillment-notification": (
        "Shopify fulfillment-service callback: signed like the webhook, only queues a poll; answers 200/401/404"
    ),
}

# Namespaces behind a staff permission: the sweep checks a customer user gets 403 on each.
STAFF_NAMESPACES = ("backoffice",)
# Django admin: superusers only (tested in apps/backoffice/tests).
ADMIN_NAMESPACES = ("admin",)
