import zoneinfo
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import BinLocation, Warehouse, WarehouseZone


def warehouse_list(*, active_only: bool = False) -> QuerySet[Warehouse]:
    zones = WarehouseZone.objects.filter(warehouse=OuterRef("pk")).order_by().values("warehouse")
    qs = Warehouse.objects.annotate(
        bin_count=Count("bins"),
        zone_count=Coalesce(Subquery(zones.annotate(n=Count("pk")).values("n")), 0),
    )
    return qs.filter(is_active=True) if active_only else qs


def customer_warehouses(*, customer) -> QuerySet[Warehouse]:
    """The warehouses in the customer's logistics plan (active ones)."""
    return Warehouse.objects.filter(customer_links__customer=customer, is_active=True).order_by("code")


def customer_warehouse_list(*, customer) -> QuerySet[Warehouse]:
    """The customer's active warehouses in code order, each with ``is_default``: the one sales
    marked as default or, when none of the active ones is marked, the first by code
    (``default_marked`` says which case it is). One query."""
    marked = Warehouse.objects.filter(
        customer_links__customer=customer, customer_links__is_default=True, is_active=True
    ).values("pk")[:1]
    first = customer_warehouses(customer=customer).values("pk")[:1]
    default_pk = Coalesce(Subquery(marked), Subquery(first))
    return customer_warehouses(customer=customer).annotate(
        is_default=Case(When(pk=default_pk, then=Value(True)), default=Value(False)),
        default_marked=Exists(marked),
    )


def customer_default_warehouse(*, customer) -> Warehouse | None:
    """The warehouse that counts as the customer's default (see customer_warehouse_list)."""
    return customer_warehouse_list(customer=customer).filter(is_default=True).first()


def zone_ranks(*, warehouse_ids, countries) -> dict[tuple[int, str], int]:
    """{(warehouse id, country): rank} for the given warehouses and destination countries."""
    rows = WarehouseZone.objects.filter(warehouse_id__in=list(warehouse_ids), country__in=list(countries))
    return {(w, c): r for w, c, r in rows.values_list("warehouse_id", "country", "rank")}


def warehouse_zones(*, warehouse: Warehouse) -> QuerySet[WarehouseZone]:
    return WarehouseZone.objects.filter(warehouse=warehouse).order_by("rank", "country")


def bin_list(*, warehouse: Warehouse, search: str = "") -> QuerySet[BinLocation]:
    qs = BinLocation.objects.filter(warehouse=warehouse)
    return qs.filter(code__icontains=search) if search else qs


UNKNOWN_WAREHOUSE = "unknown_warehouse"
NO_WAREHOUSE = "no_warehouse"


def unknown_warehouse_problem(code: str, *, field: str = "warehouse"):
    """The one answer for a warehouse code the customer may not use — unknown, in another
    customer's plan or inactive alike, so it says nothing about warehouses it may not see."""
    from apps.core.errors import InputProblem

    if not str(code).strip():
        return InputProblem(field, UNKNOWN_WAREHOUSE, "Choose one of the warehouses in your logistics plan.")
    return InputProblem(
        field,
        UNKNOWN_WAREHOUSE,
        f"Warehouse “{code}” is not in your logistics plan; use the code of one of your warehouses.",
    )


def no_warehouse_problem(*, field: str = "warehouse"):
    """The customer may use no warehouse at all: only sales can change that."""
    from apps.core.errors import InputProblem

    return InputProblem(
        field,
        NO_WAREHOUSE,
        "Your logistics plan has no warehouse yet; ask your sales contact to add a warehouse to your logistics plan.",
    )


def warehouses_resolve(*, customer, codes, field: str = "warehouse") -> tuple[dict[str, Warehouse], list]:
    """(upper-cased code → warehouse of the customer's plan, [InputProblem per code it may not
    use]) in one query, whatever the number of codes."""
    plan = {w.code.upper(): w for w in customer_warehouses(customer=customer)}
    problems, seen = [], set()
    for code in codes:
        text = str(code).strip()
        if text and text.upper() not in plan and text.upper() not in seen:
            seen.add(text.upper())
            problems.append(unknown_warehouse_problem(text, field=field))
    return plan, problems


@dataclass(frozen=True)
class StaffTimeZone:
    """The warehouse whose clock the back office shows, and the other warehouses to switch to."""

    code: str
    name: str
    zone_name: str
    tzinfo: zoneinfo.ZoneInfo
    choices: tuple[tuple[str, str, str], ...]  # (code, name, time zone) of every active warehouse

    @property
    def offset(self) -> str:
        """ "UTC−08:00" now (daylight saving included)."""
        delta = timezone.now().astimezone(self.tzinfo).utcoffset()
        minutes = int(delta.total_seconds() // 60) if delta else 0
        sign = "+" if minutes >= 0 else "−"
        return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def staff_time_zone(*, preferred: tuple[str, ...] = ()) -> StaffTimeZone | None:
    """The first of the preferred warehouse codes that is active, else the first active warehouse by
    code; None when there is no warehouse (times stay in the server's zone, UTC)."""
    rows = list(Warehouse.objects.filter(is_active=True).order_by("code").values_list("code", "name", "timezone"))
    if not rows:
        return None
    by_code = {code.upper(): (code, name, tz) for code, name, tz in rows}
    code, name, tz = next((by_code[c.upper()] for c in preferred if c and c.upper() in by_code), rows[0])
    try:
        tzinfo = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz, tzinfo = "UTC", zoneinfo.ZoneInfo("UTC")
    return StaffTimeZone(code=code, name=name, zone_name=tz, tzinfo=tzinfo, choices=tuple(rows))
