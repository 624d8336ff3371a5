"""Customs for parcels that leave their warehouse's country (issue 18): which SKU lacks what before
such an order may be submitted, which form it travels with (CN 22 up to 300 SDR, else CN 23 with a
commercial invoice) and the PDF of it, the same for the portal, the back office and the pack station.

Values come from the SKUs (declared value × quantity, in the SKU's currency); the SDR equivalent
uses the dated rate table in settings (``CUSTOMS_SDR_RATES``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone

from apps.core.addresses import postal_lines
from apps.documents.layouts.customs_forms import (
    CN22_MAX_LINES,
    CustomsDeclaration,
    CustomsLine,
    render_cn22,
    render_cn23,
)
from apps.documents.toolkit.pages import PartyAddress

CN22, CN23 = "CN22", "CN23"
# (field, what a person calls it when it is missing)
REQUIRED = (
    ("customs_name", "declared customs name"),
    ("hs_code", "HS code"),
    ("origin_country", "country of origin"),
    ("declared_value", "declared value above 0"),
)


def is_international(order) -> bool:
    """Whether the parcel leaves the country of the warehouse it ships from."""
    if order.warehouse_id is None or not order.country:
        return False
    return order.country.upper() != (order.warehouse.country or "").upper()


def _lacks(product) -> list[str]:
    lacking = []
    for field, what in REQUIRED:
        value = getattr(product, field)
        if field == "declared_value":
            if value is None or Decimal(value) <= 0:
                lacking.append(what)
        elif not (value or "").strip():
            lacking.append(what)
    return lacking


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def missing_customs_message(order, products) -> str | None:
    """The sentence saying which SKU lacks which customs field and how to fix it, or None when the
    order needs nothing (domestic) or has it all."""
    if not is_international(order):
        return None
    problems = []
    for product in sorted({p.pk: p for p in products}.values(), key=lambda p: p.sku.lower()):
        lacking = _lacks(product)
        if lacking:
            problems.append(f"SKU {product.sku} has no {_joined(lacking)}")
    if not problems:
        return None
    if len(problems) > 3:  # the reason is kept to 500 characters
        problems = [*problems[:3], f"{len(problems) - 3} more SKUs lack some of them too"]
    return (
        f"This parcel leaves {order.warehouse.country} for {order.country}, so customs needs every SKU's "
        f"declared customs name, HS code, country of origin and value: {'; '.join(problems)}. "
        "Add them on the SKU's page (Products → the SKU → Edit) and submit the order again."
    )


def sdr_rates() -> tuple[str, dict[str, Decimal]]:
    """(the table's date, currency → units per SDR) from settings; unreadable rates are left out."""
    rates = {}
    for code, value in (settings.CUSTOMS_SDR_RATES or {}).items():
        try:
            rate = Decimal(str(value))
        except (InvalidOperation, ValueError):
            continue
        if rate > 0:
            rates[str(code).upper()] = rate
    return settings.CUSTOMS_SDR_RATES_DATE, rates


@dataclass(frozen=True)
class CustomsForm:
    kind: str  # CN22 or CN23
    sdr_value: Decimal | None  # None: a currency without a rate
    reason: str  # why this form, for people


def form_for(lines: list[CustomsLine]) -> CustomsForm:
    """CN 22 when the parcel is worth at most the limit in SDR and its lines fit the form; else CN 23."""
    day, rates = sdr_rates()
    limit = Decimal(settings.CUSTOMS_CN22_LIMIT_SDR)
    total = Decimal("0")
    for line in lines:
        rate = rates.get(line.currency.upper())
        if rate is None:
            return CustomsForm(CN23, None, f"no SDR rate for {line.currency} in the table of {day}: CN 23")
        total += line.value / rate
    total = total.quantize(Decimal("0.01"))
    if total > limit:
        return CustomsForm(CN23, total, f"declared {total} SDR (rates of {day}) is above {limit} SDR: CN 23")
    if len(lines) > CN22_MAX_LINES:
        return CustomsForm(CN23, total, f"{len(lines)} lines do not fit a CN 22 (at most {CN22_MAX_LINES}): CN 23")
    return CustomsForm(CN22, total, f"declared {total} SDR (rates of {day}) is at most {limit} SDR: CN 22")


def customs_lines(order) -> list[CustomsLine]:
    lines = []
    for line in order.lines.select_related("product").order_by("product__sku"):
        product = line.product
        unit = Decimal(product.declared_value or 0)
        lines.append(
            CustomsLine(
                description=product.customs_name or product.name,
                quantity=line.quantity,
                net_weight_g=(product.weight_g_effective or 0) * line.quantity,
                value=unit * line.quantity,
                currency=(product.currency or "USD").upper(),
                hs_code=product.hs_code,
                origin_country=(product.origin_country or "").upper(),
                sku=product.sku,
                unit_value=unit,
            )
        )
    return lines


def _recipient_lines(order, *, origin: str) -> list[str]:
    """The consignee's address as on the label: in the destination post's order, its country last."""
    return postal_lines(
        country=order.country,
        address1=order.address1,
        address2=order.address2,
        city=order.city,
        state=order.state,
        postal_code=order.postal_code,
        origin=origin,
    )


def customs_declaration(order, lines: list[CustomsLine] | None = None) -> CustomsDeclaration:
    warehouse = order.warehouse
    name = order.recipient_name + (f", {order.recipient_company}" if order.recipient_company else "")
    lines = customs_lines(order) if lines is None else lines
    channel = order.channel
    return CustomsDeclaration(
        order_number=order.number,
        sender=PartyAddress(warehouse.code, warehouse.name, tuple(warehouse.address_lines)),
        exporter=order.customer.company_name,
        recipient=PartyAddress("", name, tuple(_recipient_lines(order, origin=warehouse.country))),
        lines=tuple(lines),
        gross_weight_g=order.packed_weight_g or order.estimated_weight_g or 0,
        tracking_number=order.tracking_number,
        carrier_name=channel.carrier.name if channel is not None else "",
        postage=f"{order.actual_freight} {order.currency}" if order.actual_freight is not None else "",
        printed_on=timezone.localdate(),
    )


def customs_pdf(order) -> tuple[CustomsForm, bytes] | None:
    """The order's customs document — (form, PDF) — or None for a domestic parcel. Refused with a
    ValueError saying what is missing when a SKU lacks its customs fields."""
    if not is_international(order):
        return None
    missing = missing_customs_message(order, [line.product for line in order.lines.select_related("product")])
    if missing:
        raise ValueError(missing)
    lines = customs_lines(order)
    form = form_for(lines)
    decl = customs_declaration(order, lines)
    return form, render_cn22(decl) if form.kind == CN22 else render_cn23(decl)
