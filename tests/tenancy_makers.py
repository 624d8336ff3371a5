"""The ``make`` functions of the tenant-isolation sweep (tests/tenancy_registry.py): each creates one
object owned by the given customer user, called outside any scope."""

from __future__ import annotations

from apps.accounts.services import api_key_create
from apps.catalog.services import product_create
from apps.core.tenancy import customer_scope
from apps.documents.services import job_create, job_finish, job_start


def make_product(user):
    with customer_scope(user.customer):
        return product_create(
            actor=user, data={"sku": f"SKU-OF-{user.customer.code}", "name": "Secret widget", "declared_value": "5"}
        )


def make_stock(user):
    """A product of the user's customer with 7 units received in a warehouse."""
    from apps.inventory.services import stock_receive
    from apps.warehouses.models import Warehouse

    product = make_product(user)
    warehouse, _ = Warehouse.objects.get_or_create(
        code="SWEEP1", defaults={"name": "Sweep", "address1": "1 Road", "city": "Town", "country": "US"}
    )
    with customer_scope(user.customer):
        stock_receive(actor=None, product=product, warehouse=warehouse, quantity=7, reference="Sweep stock")
    return product


def make_inbound(user):
    """A draft inbound of the user's customer with one SKU packed in one box, shipping filled in."""
    import datetime

    from apps.inbound.services import BoxSpec, inbound_create, inbound_pack, inbound_set_shipping
    from apps.warehouses.models import Warehouse
    from apps.warehouses.services import customer_warehouses_set

    product = make_product(user)
    warehouse, _ = Warehouse.objects.get_or_create(
        code="SWEEP1", defaults={"name": "Sweep", "address1": "1 Road", "city": "Town", "country": "US"}
    )
    customer_warehouses_set(actor=None, customer=user.customer, warehouses=[warehouse])
    with customer_scope(user.customer):
        inbound = inbound_create(actor=user, warehouse=warehouse, lines=[(product, 3)])
        inbound_pack(actor=user, inbound=inbound, method="mixed", boxes=[BoxSpec(items=[(product, 3)])])
        inbound_set_shipping(
            actor=user,
            inbound=inbound,
            data={
                "carrier": "DHL",
                "tracking_number": "1",
                "transport_mode": "express",
                "ship_date": datetime.date.today(),
            },
        )
        inbound.refresh_from_db()
    return inbound


def make_slip(user):
    from apps.inbound.choices import SlipKind
    from apps.inbound.models import DamageGainLine, DamageGainSlip

    inbound = make_inbound(user)
    with customer_scope(user.customer):
        slip = DamageGainSlip.objects.create(customer=user.customer, inbound=inbound, kind=SlipKind.NORMAL)
        DamageGainLine.objects.create(slip=slip, product=inbound.lines.first().product, kind="short", quantity=1)
    return slip


def make_warehouse(user):
    """A warehouse only this user's customer may use (its default)."""
    from apps.warehouses.models import Warehouse
    from apps.warehouses.services import customer_warehouses_set

    warehouse = Warehouse.objects.create(
        code=f"OWN{user.customer.code}", name="Own", address1="1", city="X", country="US"
    )
    customer_warehouses_set(actor=None, customer=user.customer, warehouses=[warehouse], default=warehouse)
    return warehouse


def make_channel(user):
    """A channel of a warehouse only this user's customer may use."""
    from apps.shipping.models import Carrier, Channel
    from apps.warehouses.models import Warehouse
    from apps.warehouses.services import customer_warehouses_set

    warehouse = Warehouse.objects.create(
        code=f"W{user.customer.code}", name="Own", address1="1", city="X", country="US"
    )
    customer_warehouses_set(actor=None, customer=user.customer, warehouses=[warehouse])
    carrier, _ = Carrier.objects.get_or_create(code="sweep", defaults={"name": "Sweep carrier"})
    return Channel.objects.create(
        code=f"ch-{user.customer.code.lower()}",
        name="Own channel",
        carrier=carrier,
        warehouse=warehouse,
        transit_days_min=1,
        transit_days_max=2,
        max_weight_g=1000,
        max_length_cm=50,
    )


def make_entry(user):
    from apps.billing.services import credit

    with customer_scope(user.customer):
        return credit(
            customer=user.customer,
            amount="12.34",
            kind="refund",
            idempotency_key="sweep",
            reference_id=f"REF-{user.customer.code}",
            reference=f"Refund of {user.customer.code}",
        )


def make_topup(user):
    import datetime
    import io

    from PIL import Image

    from apps.billing.topups import topup_submit

    out = io.BytesIO()
    Image.new("RGB", (2, 2)).save(out, format="PNG")
    with customer_scope(user.customer):
        return topup_submit(
            actor=user,
            method="wire",
            currency="USD",
            amount="10",
            payer=f"Payer {user.customer.code}",
            paid_on=datetime.date.today(),
            transaction_ref=f"TX-{user.customer.code}",
            voucher=out.getvalue(),
            voucher_name="v.png",
        )


def make_storage_fee(user):
    import datetime

    from apps.billing.models import StorageFee

    product = make_stock(user)
    with customer_scope(user.customer):
        return StorageFee.objects.create(
            customer=user.customer,
            day=datetime.date.today(),
            warehouse=product.balances.first().warehouse,
            product=product,
            units=7,
            volume_m3="0.01",
            rate="0.6",
            amount="0.006",
        )


def make_import_job(user):
    with customer_scope(user.customer):
        return job_create(
            actor=user,
            customer=user.customer,
            kind="product_import",
            title=f"Product import of {user.customer.code}",
            input_bytes=b"x",
            input_name="in.xlsx",
        )


def make_finished_job(user):
    job = make_import_job(user)
    with customer_scope(user.customer):
        job_start(job_id=job.pk)
        job.refresh_from_db()
        return job_finish(job=job, message="done", result_bytes=b"result", result_name="out.xlsx")


def make_batch_job(user):
    """A batch order upload of the user's customer (its job, titled after the customer)."""
    with customer_scope(user.customer):
        return job_create(
            actor=user,
            customer=user.customer,
            kind="order_import",
            title=f"Order import of {user.customer.code}",
            input_bytes=b"x",
            input_name="in.xlsx",
            params={"kind": "regular"},
        )


def make_finished_batch_job(user):
    job = make_batch_job(user)
    with customer_scope(user.customer):
        job_start(job_id=job.pk)
        job.refresh_from_db()
        return job_finish(job=job, message="done", result={"problem_count": 1, "valid": 1, "problems": []})


def make_api_key(user):
    with customer_scope(user.customer):
        return api_key_create(actor=user, name=f"key-of-{user.customer.code}").api_key


def make_connection(user):
    """A paused Shopify connection of the user's customer (paused: Sync now answers without calling out)."""
    from apps.integrations.services import connection_create, connection_pause

    with customer_scope(user.customer):
        connection = connection_create(
            actor=user,
            platform="shopify",
            shop_domain=f"sweep-{user.customer.code.lower()}.myshopify.com",
            display_name=f"Shop of {user.customer.code}",
            webhook_secret="sweep-secret",
        )
        return connection_pause(actor=user, connection=connection)


def make_sku_mapping(user):
    from apps.integrations.models import SkuMapping

    connection = make_connection(user)
    with customer_scope(user.customer):
        return SkuMapping.objects.create(connection=connection, platform_sku=f"SHOP-{user.customer.code}")


def make_order(user):
    """A Confirming order of the user's customer (one SKU, a US recipient named after the customer)."""
    from apps.orders.services import OrderData, order_create
    from apps.warehouses.models import Warehouse
    from apps.warehouses.services import customer_warehouses_set

    product = make_product(user)
    warehouse, _ = Warehouse.objects.get_or_create(
        code="SWEEP1", defaults={"name": "Sweep", "address1": "1 Road", "city": "Town", "country": "US"}
    )
    customer_warehouses_set(actor=None, customer=user.customer, warehouses=[warehouse])
    with customer_scope(user.customer):
        return order_create(
            actor=user,
            data=OrderData(
                warehouse=warehouse,
                lines=[(product, 2)],
                external_ref=f"EXT-{user.customer.code}",
                recipient={
                    "name": f"Recipient of {user.customer.code}",
                    "address1": "1 Main St",
                    "city": "Austin",
                    "state": "TX",
                    "postal_code": "78701",
                    "country": "US",
                },
            ),
        )


def make_international_order(user):
    """make_order's order sent abroad (to Berlin), so it has a customs document."""
    from apps.orders.models import Order

    order = make_order(user)
    with customer_scope(user.customer):
        Order.objects.filter(pk=order.pk).update(country="DE", city="Berlin", state="", postal_code="10115")
        order.refresh_from_db()
    return order
