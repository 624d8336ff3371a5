"""Inventory now keeps the units in transit itself (set by the inbound services): write them once
for the reservations already on their way."""

from django.db import migrations
from django.db.models import Sum

IN_TRANSIT = ("submitted", "arrived", "receiving")


def backfill(apps, schema_editor):
    InboundLine = apps.get_model("inbound", "InboundLine")
    StockInTransit = apps.get_model("inventory", "StockInTransit")
    rows = (
        InboundLine.objects.filter(inbound__status__in=IN_TRANSIT)
        .values_list("inbound__customer_id", "inbound__number", "product_id", "inbound__warehouse_id")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    StockInTransit.objects.bulk_create(
        [
            StockInTransit(
                customer_id=customer_id,
                reference_type="inbound",
                reference_id=number,
                product_id=product_id,
                warehouse_id=warehouse_id,
                quantity=units,
            )
            for customer_id, number, product_id, warehouse_id, units in rows
            if units
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inbound", "0002_role_permissions"),
        ("inventory", "0006_stock_in_transit"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
