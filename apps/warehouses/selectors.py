from django.db.models import Count, QuerySet

from .models import BinLocation, Warehouse


def warehouse_list(*, active_only: bool = False) -> QuerySet[Warehouse]:
    qs = Warehouse.objects.annotate(bin_count=Count("bins"))
    return qs.filter(is_active=True) if active_only else qs


def customer_warehouses(*, customer) -> QuerySet[Warehouse]:
    """The warehouses in the customer's logistics plan (active ones)."""
    return Warehouse.objects.filter(customer_links__customer=customer, is_active=True).order_by("code")


def bin_list(*, warehouse: Warehouse, search: str = "") -> QuerySet[BinLocation]:
    qs = BinLocation.objects.filter(warehouse=warehouse)
    return qs.filter(code__icontains=search) if search else qs
