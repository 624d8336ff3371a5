"""Demo stock: every SKU received into bins, a few damaged, two nearly sold out — the demo orders
(orders/demo.py) allocate the rest through real orders (idempotent)."""

from apps.catalog.models import Product
from apps.core.tenancy import staff_scope
from apps.warehouses.models import BinLocation

from .models import StockMove
from .services import stock_receive, stock_record_damage

SOLD_OUT = {"ACME-CAP-NAVY": 3, "GX-RELAY-5V": 2}  # units a demo order then takes


def seed_stock(warehouses: dict, clerk) -> None:
    with staff_scope():
        if StockMove.objects.filter(idempotency_key__startswith="demo:").exists():
            return
        products = list(Product.objects.filter(customer__code__in=["C10001", "C10002"]).order_by("customer_id", "sku"))
        bins = {code: list(BinLocation.objects.filter(warehouse=w).order_by("code")) for code, w in warehouses.items()}
        for i, product in enumerate(products):
            codes = ["LAX1", "NJ1"] if product.customer.code == "C10001" and i % 3 == 0 else ["LAX1"]
            for code in codes:
                warehouse, shelf = warehouses[code], bins[code][i % len(bins[code])]
                quantity = SOLD_OUT.get(product.sku) or 20 + (i * 37) % 180
                key = f"demo:{product.pk}:{code}"
                stock_receive(
                    actor=clerk,
                    product=product,
                    warehouse=warehouse,
                    quantity=quantity,
                    bin=shelf,
                    reference="Demo opening stock",
                    idempotency_key=key + ":in",
                )
                if i % 7 == 0 and product.sku not in SOLD_OUT:
                    stock_record_damage(
                        actor=clerk,
                        product=product,
                        warehouse=warehouse,
                        quantity=1,
                        bin=shelf,
                        reference="Damaged on receipt",
                        idempotency_key=key + ":dmg",
                    )
        Product.objects.filter(sku__in=["ACME-MUG-350", "ACME-TEE-BLK-M"]).update(low_stock_threshold=250)
