from django.db.models import Exists, Q, QuerySet

from apps.warehouses.selectors import customer_warehouses

from .models import Channel, CustomerChannel


def customer_channels(*, customer) -> QuerySet[Channel]:
    """The channels a customer may use: those listed in its plan, else every active channel of
    its warehouses."""
    listed = CustomerChannel.objects.filter(customer=customer)
    return (
        Channel.objects.filter(
            is_active=True, carrier__is_active=True, warehouse__in=customer_warehouses(customer=customer)
        )
        .filter(~Exists(listed) | Q(pk__in=listed.values("channel_id")))  # one query either way
        .select_related("carrier", "warehouse")
        .order_by("warehouse__code", "transit_days_max", "code")
    )


def channel_codes_text(*, customer) -> str:
    """ "ups-ground (UPS Ground, from LAX1); …": the codes this customer may type for a shipping method."""
    return "; ".join(f"{c.code} ({c.name}, from {c.warehouse.code})" for c in customer_channels(customer=customer))


def channel_list(*, warehouse=None) -> QuerySet[Channel]:
    qs = Channel.objects.select_related("carrier", "warehouse").prefetch_related("rate_cards")
    return qs.filter(warehouse=warehouse) if warehouse else qs


UNKNOWN_CHANNEL = "unknown_channel"


def unknown_channel_problem(code: str, *, field: str = "shipping_channel"):
    """The one answer for a channel code the customer may not use (unknown or not in its plan)."""
    from apps.core.errors import InputProblem

    return InputProblem(
        field,
        UNKNOWN_CHANNEL,
        f"Shipping method “{code}” is not in your logistics plan; use a channel code from the shipping quote "
        "page, or leave it empty to get the cheapest at submission.",
    )


def channel_warehouse_problem(channel_code: str, warehouse_code: str, *, field: str = "shipping_channel"):
    """A channel of the plan that does not ship from the order's warehouse."""
    from apps.core.errors import InputProblem

    return InputProblem(
        field,
        UNKNOWN_CHANNEL,
        f"Shipping method “{channel_code}” does not ship from warehouse {warehouse_code}; choose another or "
        "leave it empty.",
    )


def channels_resolve(*, customer, codes, field: str = "shipping_channel") -> tuple[dict[str, Channel], list]:
    """(lower-cased code → channel the customer may use, [InputProblem per other code]); no query
    when no code is given, two otherwise."""
    wanted = {str(c).strip() for c in codes if str(c).strip()}
    if not wanted:
        return {}, []
    from django.db.models.functions import Lower

    keys = {c.lower() for c in wanted}
    found = {
        c.code.lower(): c for c in customer_channels(customer=customer).annotate(key=Lower("code")).filter(key__in=keys)
    }
    problems, seen = [], set()
    for code in codes:
        text = str(code).strip()
        if text and text.lower() not in found and text.lower() not in seen:
            seen.add(text.lower())
            problems.append(unknown_channel_problem(text, field=field))
    return found, problems
