"""Every write in the catalog: products, their UPCs, measurements and batch imports."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.services import sequence_next
from apps.core.tenancy import staff_scope

from .errors import DuplicateSku, ProductInvalid, UpcAlreadySet, UpcPoolExhausted
from .models import MEASURED_FIELDS, GeneratedUpc, Product, ProductMeasurement
from .rules import CUSTOMER_FIELDS, clean_measurements, clean_product, gs1_check_digit


def _raise_if_invalid(errors: dict[str, list[str]]) -> None:
    if errors:
        first_field, messages = next(iter(errors.items()))
        raise ProductInvalid(f"{first_field.replace('_', ' ')} {messages[0]}", extra=errors)


def _check_sku_free(*, customer, sku: str, exclude_pk: int | None = None) -> None:
    clash = Product.objects.filter(customer=customer, sku__iexact=sku)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise DuplicateSku(f"You already have a product with SKU {sku}.", extra={"sku": [f"SKU {sku} already exists"]})


@transaction.atomic
def product_create(*, actor, data: dict) -> Product:
    """Create a SKU for the actor's customer. With no SKU code but a UPC, the UPC is the SKU."""
    customer = actor.customer
    data = dict(data)
    if not str(data.get("sku") or "").strip() and str(data.get("upc") or "").strip():
        data["sku"] = data["upc"]
    cleaned = clean_product(data)
    _raise_if_invalid(cleaned.errors)
    _check_sku_free(customer=customer, sku=cleaned.values["sku"])
    try:
        with transaction.atomic():
            return Product.objects.create(customer=customer, **cleaned.values)
    except IntegrityError:  # a concurrent create won the race for this SKU
        raise DuplicateSku(
            f"You already have a product with SKU {cleaned.values['sku']}.", extra={"sku": ["SKU already exists"]}
        ) from None


@transaction.atomic
def product_update(*, actor, product: Product, data: dict) -> Product:
    """Change a SKU's customer fields (only those given)."""
    cleaned = clean_product({k: v for k, v in data.items() if k in CUSTOMER_FIELDS}, partial=True)
    if "sku" in cleaned.values and not cleaned.values["sku"]:
        cleaned.add("sku", "is required")
    if "name" in cleaned.values and not cleaned.values["name"]:
        cleaned.add("name", "is required")
    _raise_if_invalid(cleaned.errors)
    if "sku" in cleaned.values:
        _check_sku_free(customer=product.customer, sku=cleaned.values["sku"], exclude_pk=product.pk)
    product = Product.objects.select_for_update().get(pk=product.pk)
    for name, value in cleaned.values.items():
        setattr(product, name, value)
    product.save()
    return product


@transaction.atomic
def products_set_active(*, actor, products: Iterable[Product], active: bool) -> int:
    """Activate or deactivate SKUs (products are never deleted). Returns how many changed."""
    ids = [p.pk for p in products]
    return (
        Product.objects.filter(pk__in=ids).exclude(is_active=active).update(is_active=active, updated_at=timezone.now())
    )


@transaction.atomic
def product_set_low_stock_threshold(*, actor, product: Product, threshold) -> Product:
    """The customer's low-stock warning level for a SKU (empty: no warning)."""
    if threshold in (None, ""):
        value = None
    else:
        text = str(threshold).strip()
        if not text.isdecimal() or int(text) > 1_000_000:
            raise ProductInvalid(
                "The low-stock level must be a whole number from 0 to 1,000,000, or empty.",
                extra={"low_stock_threshold": ["must be a whole number from 0 to 1,000,000"]},
            )
        value = int(text)
    Product.objects.filter(pk=product.pk).update(low_stock_threshold=value, updated_at=timezone.now())
    product.low_stock_threshold = value
    return product


# --- UPCs ----------------------------------------------------------------------------------------


def _upc_from_number(number: int) -> str:
    prefix = settings.ST_UPC_PREFIX
    digits = 11 - len(prefix)
    if number >= 10**digits:
        raise UpcPoolExhausted(
            "The generated UPC range is used up. Ask an administrator to configure a new ST_UPC_PREFIX."
        )
    body = f"{prefix}{number:0{digits}d}"
    return body + str(gs1_check_digit(body))


@transaction.atomic
def upc_generate(*, customer) -> str:
    """A fresh valid UPC-A from the configured prefix, never handed out twice (a database
    sequence numbers them; the unique row guards against any UPC already in use)."""
    for _ in range(1000):
        upc = _upc_from_number(sequence_next(name="st-upc", start=0))
        with staff_scope():  # uniqueness is global: look across every customer's products and UPCs
            taken = Product.objects.filter(upc=upc).exists() or GeneratedUpc.objects.filter(upc=upc).exists()
        if taken:  # typed in by someone earlier: skip it
            continue
        GeneratedUpc.objects.create(upc=upc, customer=customer)
        return upc
    raise UpcPoolExhausted("Could not find a free UPC in the configured range.")


@transaction.atomic
def product_apply_upc(*, actor, product: Product, replace: bool = False) -> Product:
    """Apply ST-UPC to an existing SKU."""
    product = Product.objects.select_for_update().get(pk=product.pk)
    if product.upc and product.upc != product.sku and not replace:
        raise UpcAlreadySet(f"{product.sku} already has the UPC {product.upc}.")
    product.upc = upc_generate(customer=product.customer)
    product.save(update_fields=["upc", "updated_at"])
    return product


# --- Measurements (warehouse) --------------------------------------------------------------------


@transaction.atomic
def product_set_measurements(*, actor, product: Product, data: dict) -> Product:
    """The warehouse enters measured sizes; the change is recorded (who, when, old, new)."""
    cleaned = clean_measurements({k: v for k, v in data.items() if k in MEASURED_FIELDS})
    _raise_if_invalid(cleaned.errors)
    product = Product.objects.select_for_update().get(pk=product.pk)
    old = {f: _json(getattr(product, f)) for f in cleaned.values}
    new = {f: _json(v) for f, v in cleaned.values.items()}
    if old == new:
        return product
    for name, value in cleaned.values.items():
        setattr(product, name, value)
    product.save()
    ProductMeasurement.objects.create(customer=product.customer, product=product, actor=actor, old=old, new=new)
    return product


def _json(value):
    return None if value is None else str(value)


# --- Batch import --------------------------------------------------------------------------------


PROGRESS_EVERY = 500


@dataclass(frozen=True)
class RowProblem:
    row: int  # 1-based spreadsheet row
    field: str | None
    message: str


@dataclass
class ImportCheck:
    valid: list[tuple[int, dict]]  # (row number, cleaned values)
    problems: list[RowProblem]

    @property
    def bad_rows(self) -> set[int]:
        return {p.row for p in self.problems}


def products_import_check(
    *, customer, rows: Sequence[tuple[int, dict]], progress: Callable[[int, int], None] | None = None
) -> ImportCheck:
    """Validate a whole file before anything is written: each row by the product rules, SKUs
    unique inside the file and against the customer's existing SKUs. One query in all."""
    existing = {s.lower() for s in Product.objects.filter(customer=customer).values_list("sku", flat=True)}
    seen: dict[str, int] = {}
    valid, problems = [], []
    for index, (number, raw) in enumerate(rows, start=1):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, len(rows))
        raw = dict(raw)
        if not str(raw.get("sku") or "").strip() and str(raw.get("upc") or "").strip():
            raw["sku"] = raw["upc"]
        cleaned = clean_product(raw)
        row_problems = [RowProblem(number, f, m) for f, msgs in cleaned.errors.items() for m in msgs]
        sku = cleaned.values.get("sku") or ""
        if sku and "sku" not in cleaned.errors:
            key = sku.lower()
            if key in existing:
                row_problems.append(RowProblem(number, "sku", f"SKU {sku} already exists in your products"))
            elif key in seen:
                row_problems.append(RowProblem(number, "sku", f"SKU {sku} appears twice in the file (row {seen[key]})"))
            else:
                seen[key] = number
        if row_problems:
            problems.extend(row_problems)
        else:
            valid.append((number, cleaned.values))
    return ImportCheck(valid=valid, problems=problems)


@transaction.atomic
def products_import(
    *,
    actor,
    customer,
    rows: Sequence[tuple[int, dict]],
    only_valid: bool = False,
    batch_size: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> ImportCheck:
    """Import a checked file: all rows, or nothing while any row is bad, unless the user chose
    ``only_valid``. Inserts in batches (the bulk twin of product_create, tested to agree)."""
    check = products_import_check(customer=customer, rows=rows, progress=progress)
    if check.problems and not only_valid:
        return check
    now = timezone.now()
    try:
        with transaction.atomic():
            Product.objects.bulk_create(
                [Product(customer=customer, created_at=now, updated_at=now, **values) for _n, values in check.valid],
                batch_size=batch_size,
            )
    except IntegrityError:
        raise DuplicateSku(
            "Some of these SKUs were created by someone else while the file was being imported. "
            "Nothing was imported; upload the file again to see which rows clash."
        ) from None
    return check
