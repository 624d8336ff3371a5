from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core.tenancy import staff_scope

from .choices import ConnectionStatus
from .models import Connection, FulfillmentService, OrderLink, PlatformEvent, SkuMapping, SyncRun


def connection_for_webhook(*, platform: str, pk) -> Connection | None:
    """The live connection a webhook URL names, or None (unknown id, another platform, or
    disconnected). Webhooks come from no signed-in user: the lookup leaves the customer scope,
    and the caller enters the connection's own scope from here on."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    with staff_scope():
        connection = Connection.objects.select_related("customer").filter(pk=pk, platform=platform).first()
    if connection is None or not connection.is_live:
        return None
    return connection


@dataclass
class ConnectionHealth:
    connection: Connection
    last_event: PlatformEvent | None
    last_run: SyncRun | None
    imported_today: int
    unmapped: int


def _count(qs) -> Subquery:
    return Subquery(qs.order_by().values("connection_id").annotate(n=Count("pk")).values("n")[:1])


def connection_list(*, customer) -> list[ConnectionHealth]:
    """The customer's live connections, each with its health, in three queries whatever their
    number: the connections with their counts and the ids of their newest event and poll, then
    those events, then those polls."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    mine = OuterRef("pk")
    newest_event = PlatformEvent.objects.filter(connection=mine).order_by("-received_at", "-id").values("pk")[:1]
    newest_run = SyncRun.objects.filter(connection=mine).order_by("-started_at", "-id").values("pk")[:1]
    connections = list(
        Connection.objects.filter(customer=customer)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .select_related("default_warehouse")
        .annotate(
            imported_today=Coalesce(_count(OrderLink.objects.filter(connection=mine, created_at__gte=start)), 0),
            unmapped=Coalesce(_count(SkuMapping.objects.filter(connection=mine, product__isnull=True)), 0),
            last_event_id=Subquery(newest_event),
            last_run_id=Subquery(newest_run),
        )
        .order_by("platform", "display_name", "id")
    )
    events = PlatformEvent.objects.only("id", "received_at", "topic", "status", "result").in_bulk(
        [c.last_event_id for c in connections if c.last_event_id]
    )
    runs = SyncRun.objects.in_bulk([c.last_run_id for c in connections if c.last_run_id])
    return [
        ConnectionHealth(
            connection=c,
            last_event=events.get(c.last_event_id),
            last_run=runs.get(c.last_run_id),
            imported_today=c.imported_today,
            unmapped=c.unmapped,
        )
        for c in connections
    ]


def connection_events(*, connection: Connection):
    """The connection's inbox, newest first (for keyset_page: by id)."""
    return PlatformEvent.objects.filter(connection=connection).defer("headers", "error")


def sku_mappings_of(*, connection: Connection):
    """The connection's items, unmapped first."""
    return (
        SkuMapping.objects.filter(connection=connection)
        .select_related("product")
        .annotate(waiting=Count("waiting_lines"))
        .order_by(F("product").asc(nulls_first=True), "platform_sku", "variant_id")
    )


def fulfillment_services_by_connection(*, connections) -> dict[int, list[FulfillmentService]]:
    """The registered fulfillment services of these connections, by connection id (one query)."""
    found: dict[int, list[FulfillmentService]] = {}
    rows = FulfillmentService.objects.filter(connection__in=[c.pk for c in connections]).select_related("warehouse")
    for service in rows.order_by("connection_id", "name"):
        found.setdefault(service.connection_id, []).append(service)
    return found
