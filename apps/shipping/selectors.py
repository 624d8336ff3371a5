from django.db.models import QuerySet

from apps.warehouses.selectors import customer_warehouses

from .models import Channel, CustomerChannel


def customer_channels(*, customer) -> QuerySet[Channel]:
    """The channels a customer may use: those listed in its plan, else every active channel of
    its warehouses."""
    qs = Channel.objects.filter(
        is_active=True, carrier__is_active=True, warehouse__in=customer_warehouses(customer=customer)
    ).select_related("carrier", "warehouse")
    if CustomerChannel.objects.filter(customer=customer).exists():
        qs = qs.filter(customer_links__customer=customer)
    return qs.order_by("warehouse__code", "transit_days_max", "code")


def channel_list(*, warehouse=None) -> QuerySet[Channel]:
    qs = Channel.objects.select_related("carrier", "warehouse").prefetch_related("rate_cards")
    return qs.filter(warehouse=warehouse) if warehouse else qs
