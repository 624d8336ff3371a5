from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from apps.core.tenancy import staff_scope

from .choices import ConnectionStatus, EventStatus, Platform
from .models import Connection, FulfillmentService, OrderLink, PlatformEvent, SkuMapping, SyncRun
from .rules import PRIVACY_TOPICS


def connection_for_webhook(*, platform: str, pk, topic: str = "") -> Connection | None:
    """The live connection a webhook URL names, or None (unknown id, another platform, or
    disconnected — except for the privacy topics, which Shopify sends after an uninstall too).
    Webhooks come from no signed-in user: the lookup leaves the customer scope, and the caller
    enters the connection's own scope from here on."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    with staff_scope():
        connection = Connection.objects.select_related("customer").filter(pk=pk, platform=platform).first()
    if connection is None or not (connection.is_live or topic.strip().lower() in PRIVACY_TOPICS):
        return None
    return connection


@dataclass
class ConnectionHealth:
    connection: Connection
    last_event: PlatformEvent | None
    last_run: SyncRun | None
    imported_today: int
    unmapped: int
    failed_events: int = 0


def _count(qs) -> Subquery:
    return Subquery(qs.order_by().values("connection_id").annotate(n=Count("pk")).values("n")[:1])


def _with_health(connections):
    """The connections annotated with their counts and the ids of their newest event and poll."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    mine = OuterRef("pk")
    newest_event = PlatformEvent.objects.filter(connection=mine).order_by("-received_at", "-id").values("pk")[:1]
    newest_run = SyncRun.objects.filter(connection=mine).order_by("-started_at", "-id").values("pk")[:1]
    failed = PlatformEvent.objects.filter(connection=mine, status=EventStatus.FAILED)
    return connections.annotate(
        imported_today=Coalesce(_count(OrderLink.objects.filter(connection=mine, created_at__gte=start)), 0),
        unmapped=Coalesce(_count(SkuMapping.objects.filter(connection=mine, product__isnull=True)), 0),
        failed_events=Coalesce(_count(failed), 0),
        last_event_id=Subquery(newest_event),
        last_run_id=Subquery(newest_run),
    )


def health_of(connections) -> list[ConnectionHealth]:
    """Rows of ``_with_health`` with their newest event and poll: two queries for any number."""
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
            failed_events=c.failed_events,
        )
        for c in connections
    ]


def connection_list(*, customer) -> list[ConnectionHealth]:
    """The customer's live connections, each with its health, in three queries whatever their
    number: the connections with their counts and the ids of their newest event and poll, then
    those events, then those polls."""
    connections = (
        Connection.objects.filter(customer=customer)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .select_related("default_warehouse")
    )
    return health_of(list(_with_health(connections).order_by("platform", "display_name", "id")))


def staff_connections(*, status: str = "", platform: str = "", q: str = ""):
    """Every customer's connections for the back office, annotated for ``health_of`` (the caller
    pages them): live ones unless ``status`` asks for another; ``q`` finds the customer's code or
    name, or the shop. The caller is in the staff scope."""
    connections = Connection.objects.select_related("customer", "default_warehouse")
    if status in ConnectionStatus.values:
        connections = connections.filter(status=status)
    else:
        connections = connections.exclude(status=ConnectionStatus.DISCONNECTED)
    if platform in Platform.values:
        connections = connections.filter(platform=platform)
    q = (q or "").strip()
    if q:
        connections = connections.filter(
            Q(customer__code__iexact=q)
            | Q(customer__company_name__icontains=q)
            | Q(shop_domain__icontains=q)
            | Q(display_name__icontains=q)
        )
    return _with_health(connections)


def staff_connection_health(*, pk) -> ConnectionHealth | None:
    """One connection of any customer, disconnected ones too, with its health (the back office's
    detail page); None when there is none."""
    connections = Connection.objects.select_related("customer", "default_warehouse").filter(pk=pk)
    found = list(_with_health(connections))
    return health_of(found)[0] if found else None


def connection_runs(*, connection: Connection, limit: int = 10) -> list[SyncRun]:
    return list(SyncRun.objects.filter(connection=connection).order_by("-started_at", "-id")[:limit])


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


def links_needing_review():
    """Shop orders changed or cancelled on the shop after they left Confirming here, oldest first:
    customer service's queue (the scope decides whose)."""
    return (
        OrderLink.objects.filter(needs_review=True)
        .select_related("order", "connection", "connection__customer")
        .order_by("review_since", "id")
    )


def fulfillment_services_by_connection(*, connections) -> dict[int, list[FulfillmentService]]:
    """The registered fulfillment services of these connections, by connection id (one query)."""
    found: dict[int, list[FulfillmentService]] = {}
    rows = FulfillmentService.objects.filter(connection__in=[c.pk for c in connections]).select_related("warehouse")
    for service in rows.order_by("connection_id", "name"):
        found.setdefault(service.connection_id, []).append(service)
    return found
