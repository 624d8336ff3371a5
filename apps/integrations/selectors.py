from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.utils import timezone

from apps.core.tenancy import staff_scope

from .choices import ConnectionStatus
from .models import Connection, PlatformEvent, SkuMapping, SyncRun


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


def connection_list(*, customer) -> list[ConnectionHealth]:
    """The customer's live connections, each with its health (a few queries per connection: a
    customer has a handful of shops)."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    connections = (
        Connection.objects.filter(customer=customer)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .select_related("default_warehouse")
        .annotate(
            imported_today=Count("order_links", filter=Q(order_links__created_at__gte=start), distinct=True),
            unmapped=Count("sku_mappings", filter=Q(sku_mappings__product__isnull=True), distinct=True),
        )
        .order_by("platform", "display_name", "id")
    )
    return [
        ConnectionHealth(
            connection=c,
            last_event=c.events.only("id", "received_at", "topic", "status", "result").order_by("-received_at").first(),
            last_run=c.sync_runs.order_by("-started_at", "-id").first(),
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
        .order_by(F("product").asc(nulls_first=True), "platform_sku", "variant_id")
    )
