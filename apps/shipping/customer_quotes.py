"""Quotes for a customer: its warehouses, its channels, its level's discount, its SKUs."""

from apps.catalog.selectors import missing_skus, products_by_sku
from apps.core.errors import ValidationFailed
from apps.warehouses.selectors import customer_warehouses

from .quotes import parcel_from_box, parcel_from_lines, quote
from .selectors import customer_channels


def customer_quote(
    *,
    customer,
    warehouse_code: str,
    country: str,
    postal_code: str = "",
    parcel: dict | None = None,
    lines: list[tuple[str, int]] | None = None,
    sort: str = "price",
):
    warehouse = customer_warehouses(customer=customer).filter(code__iexact=(warehouse_code or "").strip()).first()
    if warehouse is None:
        raise ValidationFailed(
            "Choose one of the warehouses in your logistics plan.",
            code="unknown_warehouse",
            extra={"warehouse": ["not one of your warehouses"]},
        )
    if lines:
        skus = [sku for sku, _q in lines]
        products = products_by_sku(customer=customer, skus=skus)
        missing = missing_skus(products, skus)
        if missing:
            raise ValidationFailed(
                f"Not your SKUs: {', '.join(missing[:10])}.", code="unknown_sku", extra={"sku": missing}
            )
        built = parcel_from_lines([(products[sku.lower()], quantity) for sku, quantity in lines])
    else:
        built = parcel_from_box(**(parcel or {}))
    allowed = set(customer_channels(customer=customer).filter(warehouse=warehouse).values_list("pk", flat=True))
    return quote(
        warehouse=warehouse,
        country=country,
        postal_code=postal_code,
        parcel=built,
        level_id=customer.level_id,
        channel_ids=allowed,
        sort=sort,
    )
