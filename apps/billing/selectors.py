from django.db.models import Q, QuerySet

from .models import StorageFee, TopUp, WalletEntry


def entry_list(*, customer, search: str = "", kind: str = "", date_from=None, date_to=None) -> QuerySet[WalletEntry]:
    qs = WalletEntry.objects.filter(customer=customer)
    if search:
        qs = qs.filter(Q(reference_id__icontains=search) | Q(reference__icontains=search) | Q(memo__icontains=search))
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs.order_by("-id")


def topup_list(*, customer) -> QuerySet[TopUp]:
    return TopUp.objects.filter(customer=customer).order_by("-created_at", "-id")


def storage_fee_list(
    *, customer, sku: str = "", warehouse: str = "", date_from=None, date_to=None
) -> QuerySet[StorageFee]:
    qs = StorageFee.objects.filter(customer=customer).select_related("product", "warehouse")
    if sku:
        qs = qs.filter(product__sku__icontains=sku)
    if warehouse:
        qs = qs.filter(warehouse__code__iexact=warehouse)
    if date_from:
        qs = qs.filter(day__gte=date_from)
    if date_to:
        qs = qs.filter(day__lte=date_to)
    return qs.order_by("-day", "warehouse__code", "product__sku")
