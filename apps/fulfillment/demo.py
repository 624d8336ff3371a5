"""Demo outbound work, so a new user sees orders in every state: shipped, delivered and returned parcels,
one packed and waiting for the carrier, one on a pick list, the rest waiting to be picked. It all
goes through the real services (idempotent: nothing happens once a demo wave exists)."""

from collections import defaultdict

from apps.catalog.models import Product
from apps.core.tenancy import customer_scope, staff_scope
from apps.orders.models import Order
from apps.orders.outbound import order_deliver, order_return
from apps.orders.services import OrderData, order_create, order_submit
from apps.warehouses.models import Warehouse

from .handover import manifest_add, manifest_close, manifest_open
from .models import Wave
from .packing import pack_complete, pack_find, pack_scan
from .picking import pick_confirm, wave_create, wave_lines

RECIPIENTS = [
    {
        "name": "Olivia Brown",
        "phone": "+1 617-555-0182",
        "address1": "77 Massachusetts Ave",
        "city": "Cambridge",
        "state": "MA",
        "postal_code": "02139",
        "country": "US",
    },
    {
        "name": "Noah Wilson",
        "phone": "+1 303-555-0134",
        "address1": "1701 Wynkoop St",
        "city": "Denver",
        "state": "CO",
        "postal_code": "80202",
        "country": "US",
    },
    {
        "name": "Sofia Martinez",
        "phone": "+1 305-555-0160",
        "address1": "1111 Lincoln Rd",
        "address2": "Unit 5",
        "city": "Miami Beach",
        "state": "FL",
        "postal_code": "33139",
        "country": "US",
    },
    {
        "name": "Liam Davis",
        "phone": "+1 503-555-0107",
        "address1": "1005 W Burnside St",
        "city": "Portland",
        "state": "OR",
        "postal_code": "97209",
        "country": "US",
    },
    # Abroad from LAX1 (issue 18): packed with a label plus a CN 22 (a mug, 6.50 USD) or a CN 23 and
    # a commercial invoice (earbuds and chargers, 424 USD: above 300 SDR).
    {
        "name": "Zoë Ibáñez-Łukasiewicz",
        "phone": "+49 30 901820",
        "address1": "Friedrichstraße 43",
        "city": "Berlin",
        "postal_code": "10117",
        "country": "DE",
    },
    {
        "name": "Oliver Hughes",
        "company": "Hughes Outdoor Ltd",
        "phone": "+44 20 7946 0958",
        "address1": "221 Baker Street",
        "city": "London",
        "postal_code": "NW1 6XE",
        "country": "GB",
    },
]
# (customer, ref, recipient, lines, how far it goes)
OUTBOUND = [
    ("C10001", "DEMO-1101", 0, [("ACME-TEE-WHT-M", 1)], "delivered"),
    ("C10001", "DEMO-1102", 1, [("ACME-MUG-350", 2), ("ACME-SOCK-3PK", 1)], "shipped"),
    ("C10002", "DEMO-2101", 2, [("GX-SENSOR-TMP", 3)], "shipped"),
    ("C10001", "DEMO-1105", 2, [("ACME-PEN-GEL-BLK", 1)], "returned"),
    ("C10001", "DEMO-1103", 3, [("ACME-NOTE-A5", 1)], "packed"),
    ("C10001", "DEMO-1104", 0, [("ACME-BAND-SET", 1)], "picking"),
    ("C10001", "DEMO-1106", 4, [("ACME-MUG-350", 1)], "packed"),
    ("C10001", "DEMO-1107", 5, [("ACME-EARBUDS-PRO", 14), ("ACME-CHARGER-20W", 8)], "packed"),
]
WEIGHTS = {"delivered": 260, "shipped": 900, "returned": 150, "packed": 420}
PARCEL_WEIGHTS = {"DEMO-1107": 2300}  # the earbuds and chargers: heavier than the default


def _place(owners, warehouse) -> dict[str, Order]:
    by_code = {owner.customer.code: owner for owner in owners}
    orders = {}
    for code, ref, who, lines, _state in OUTBOUND:
        owner = by_code[code]
        with customer_scope(owner.customer):
            products = {p.sku: p for p in Product.objects.filter(customer=owner.customer)}
            data = OrderData(
                warehouse=warehouse,
                recipient=RECIPIENTS[who],
                external_ref=ref,
                lines=[(products[sku], quantity) for sku, quantity in lines],
            )
            orders[ref] = order_submit(actor=owner, order=order_create(actor=owner, data=data, source="shopify"))
    return orders


def seed_outbound(owners, clerk) -> None:
    with staff_scope():
        if Wave.objects.exists() or Order.objects.filter(external_ref="DEMO-1101").exists():
            return
        warehouse = Warehouse.objects.get(code="LAX1")
        orders = _place(owners, warehouse)
        state = {ref: how for _c, ref, _w, _l, how in OUTBOUND}
        wave = wave_create(actor=clerk, warehouse=warehouse, order_ids=[o.pk for o in orders.values()])
        for line in wave_lines(wave=wave):
            if state[line.wave_order.order.external_ref] != "picking":
                pick_confirm(
                    actor=clerk, line=line, bin_code=line.bin.code if line.bin else "", product_code=line.product.sku
                )
        by_carrier = defaultdict(list)
        for ref, order in orders.items():
            if state[ref] not in WEIGHTS:
                continue
            task = pack_find(warehouse=warehouse, code=order.number)
            scanned = {}
            for sku, units in task.expected.items():
                for _ in range(units):
                    _sku, scanned = pack_scan(task=task, scanned=scanned, code=sku)
            parcel = pack_complete(
                actor=clerk,
                task=task,
                scanned=scanned,
                weight_g=PARCEL_WEIGHTS.get(ref, WEIGHTS[state[ref]]),
                length_cm=25,
                width_cm=18,
                height_cm=8,
                box="S2",
            )
            if state[ref] != "packed":
                by_carrier[parcel.channel.carrier].append(parcel)
        for carrier, parcels in by_carrier.items():
            manifest = manifest_open(actor=clerk, warehouse=warehouse, carrier=carrier)
            for parcel in parcels:
                manifest_add(actor=clerk, manifest=manifest, code=parcel.tracking_number)
            manifest_close(actor=clerk, manifest=manifest)
        order_deliver(actor=clerk, order=Order.objects.get(pk=orders["DEMO-1101"].pk), message="Delivered (demo)")
        order_return(
            actor=clerk,
            order=Order.objects.get(pk=orders["DEMO-1105"].pk),
            message="Refused by the recipient; back to the sender (demo)",
        )
