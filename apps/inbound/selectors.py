from django.db.models import Count, Prefetch, QuerySet, Sum

from .models import DamageGainSlip, InboundBox, InboundBoxItem, InboundLine, InboundOrder


def inbound_list(*, customer=None, status: str = "", search: str = "") -> QuerySet[InboundOrder]:
    qs = InboundOrder.objects.select_related("warehouse").annotate(
        sku_count=Count("lines", distinct=True), units=Sum("lines__quantity")
    )
    qs = qs.filter(customer=customer) if customer is not None else qs.select_related("customer")
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(number__icontains=search.strip())
    return qs.order_by("-created_at", "-id")


def inbound_detail(*, pk: int) -> InboundOrder:
    return (
        InboundOrder.objects.select_related("warehouse", "customer", "created_by")
        .prefetch_related(
            Prefetch("lines", InboundLine.objects.select_related("product")),
            Prefetch(
                "boxes",
                InboundBox.objects.prefetch_related(
                    Prefetch("items", InboundBoxItem.objects.select_related("product"))
                ),
            ),
            "events__actor",
            Prefetch("slips", DamageGainSlip.objects.prefetch_related("lines__product")),
        )
        .get(pk=pk)
    )


def slip_list(*, customer=None) -> QuerySet[DamageGainSlip]:
    qs = (
        DamageGainSlip.objects.select_related("inbound", "inbound__warehouse")
        .annotate(line_count=Count("lines"))
        .order_by("-created_at", "-id")
    )
    return qs.filter(customer=customer) if customer is not None else qs.select_related("customer")


def inbound_updates(*, customer, days: int = 14, limit: int = 5):
    """Recent arrivals and finished receipts, for the customer's dashboard."""
    from datetime import timedelta

    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from .choices import InboundStatus

    since = timezone.now() - timedelta(days=days)
    return (
        InboundOrder.objects.filter(customer=customer, arrived_at__gte=since)
        .exclude(status=InboundStatus.CANCELLED)
        .select_related("warehouse")
        .annotate(has_slip=Exists(DamageGainSlip.objects.filter(inbound=OuterRef("pk"))))
        .order_by("-updated_at")[:limit]
    )
