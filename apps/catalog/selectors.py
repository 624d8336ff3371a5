from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Product, ProductMeasurement

SORTS = {
    "sku": "sku",
    "-sku": "-sku",
    "name": "name",
    "-name": "-name",
    "created": "created_at",
    "-created": "-created_at",
    "category": "category",
    "-category": "-category",
}


def product_search_q(search: str, *, path: str = "") -> Q:
    """SKU, name or UPC contains the text (the list pages, exports and the API search alike);
    ``path`` reaches the product from another model, e.g. "product__"."""
    return (
        Q(**{f"{path}sku__icontains": search})
        | Q(**{f"{path}name__icontains": search})
        | Q(**{f"{path}upc__icontains": search})
    )


def product_list(
    *,
    customer=None,
    search: str = "",
    status: str = "",
    category: str = "",
    sku: str = "",
    upc: str = "",
    sort: str = "sku",
) -> QuerySet[Product]:
    """Products filtered as the list pages, exports and the API ask; ``customer=None`` only in
    staff code (outside the scope), where the customer is selected along."""
    qs = Product.objects.all()
    qs = qs.filter(customer=customer) if customer is not None else qs.select_related("customer")
    if search:
        qs = qs.filter(product_search_q(search))
    if sku:
        qs = qs.filter(sku__iexact=sku)
    if upc:
        qs = qs.filter(upc=upc)
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    if category:
        qs = qs.filter(category__iexact=category)
    return qs.order_by(SORTS.get(sort, "sku"), "id")


def product_categories(*, customer) -> list[str]:
    return list(
        Product.objects.filter(customer=customer)
        .exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


def product_measurement_history(*, product) -> QuerySet[ProductMeasurement]:
    return ProductMeasurement.objects.filter(product=product).select_related("actor")


def products_by_sku(*, customer, skus) -> dict[str, Product]:
    """Lower-cased SKU → the customer's product, for the SKUs typed or uploaded (case-insensitive)."""
    from django.db.models.functions import Lower

    wanted = {str(s).lower() for s in skus}
    return {
        p.sku.lower(): p for p in Product.objects.annotate(key=Lower("sku")).filter(customer=customer, key__in=wanted)
    }


def missing_skus(found: dict, skus) -> list[str]:
    return sorted({str(s) for s in skus if str(s).lower() not in found})


UNKNOWN_SKU = "unknown_sku"


def unknown_product_problem(code: str, *, field: str = "sku"):
    """The one sentence for a SKU or UPC the customer has no product for (typed, uploaded, synced)."""
    from apps.core.errors import InputProblem

    if not str(code).strip():
        return InputProblem(field, "missing_sku", "SKU is required.")
    return InputProblem(
        field,
        UNKNOWN_SKU,
        f"“{code}” is not one of your products; check the SKU or UPC, or add it under Products first.",
    )


def products_by_code(*, customer, codes) -> dict[str, Product]:
    """Lower-cased code → the customer's product, for SKU or UPC codes typed or uploaded, in one
    query. A SKU wins over a UPC of the same text; a UPC shared by several products is left out
    (the caller reports it as unknown: the SKU says which one is meant)."""
    from django.db.models.functions import Lower

    given = {str(c).strip() for c in codes if c is not None} - {""}
    if not given:
        return {}
    wanted = {c.lower() for c in given}
    found: dict[str, Product] = {}
    by_upc: dict[str, list[Product]] = {}
    rows = (
        Product.objects.annotate(key=Lower("sku"))
        .filter(customer=customer)
        .filter(Q(key__in=wanted) | Q(upc__in=given | wanted))
    )
    for product in rows:
        if product.key in wanted:
            found[product.key] = product
        if product.upc and product.upc.lower() in wanted:
            by_upc.setdefault(product.upc.lower(), []).append(product)
    for upc, products in by_upc.items():
        if upc not in found and len(products) == 1:
            found[upc] = products[0]
    return found


def products_resolve(*, customer, codes, field: str = "sku") -> tuple[dict[str, Product], list]:
    """(lower-cased code → product, [InputProblem per unknown code]) — the resolver every door
    uses for SKU/UPC codes (orders, inbound, quotes), so the rule and its sentence exist once."""
    products = products_by_code(customer=customer, codes=codes)
    problems, seen = [], set()
    for code in codes:
        text = str(code).strip()
        if text.lower() not in products and text.lower() not in seen:
            seen.add(text.lower())
            problems.append(unknown_product_problem(text, field=field))
    return products, problems
