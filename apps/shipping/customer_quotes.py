"""Quotes for a customer: its warehouses, its channels, its level's discount, its SKUs (codes
resolved by the catalog and warehouses resolvers, in the words every door uses)."""

from apps.catalog.selectors import products_resolve
from apps.core.errors import problems_error
from apps.warehouses.selectors import unknown_warehouse_problem, warehouses_resolve

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
    code = (warehouse_code or "").strip()
    plan, problems = warehouses_resolve(customer=customer, codes=[code])
    if not code:  # a quote needs the warehouse it ships from
        problems = [unknown_warehouse_problem(code)]
    if problems:
        raise problems_error(problems)
    warehouse = plan[code.upper()]
    if lines:
        products, problems = products_resolve(customer=customer, codes=[sku for sku, _q in lines])
        if problems:
            raise problems_error(problems)
        built = parcel_from_lines([(products[str(sku).strip().lower()], quantity) for sku, quantity in lines])
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
