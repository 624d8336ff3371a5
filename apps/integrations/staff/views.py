"""Back office (customer service, the order group): every customer's shop connections with their
health, a connection's events (personal data masked) and polls, replaying a failed event, pausing
and resuming a connection. The rules are the integrations services, run as the staff user."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.keyset import keyset_page
from apps.documents.toolkit.xlsx import write_xlsx

from ..choices import ConnectionStatus, EventStatus
from ..models import PlatformEvent
from ..selectors import connection_runs, health_of, staff_connection_health, staff_connections
from ..services import connection_pause, connection_resume, event_replay
from ..views import STATUS_BADGES, event_log_page
from .forms import ConnectionFilterForm, PauseForm

VIEW = "integrations.view_connection"
MANAGE = (VIEW, "integrations.change_connection")
REPLAY = (VIEW, "integrations.change_platformevent")
PAGE_SIZE = 50
EVENTS_PAGE = 25
EXPORT_MAX = 5000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

EXPORT_COLUMNS = (
    "Customer code",
    "Customer",
    "Platform",
    "Shop",
    "Name",
    "Status",
    "Status reason",
    "Last webhook",
    "Last webhook topic",
    "Last poll",
    "Last poll result",
    "Orders imported today",
    "Failed events",
    "Last error",
    "Last error at",
)


def _local(moment):
    return timezone.localtime(moment) if moment else None


def _poll_said(run) -> str:
    if run is None:
        return ""
    said = (
        f"fetched {run.fetched}, created {run.created}, updated {run.updated}, "
        f"skipped {run.skipped}, failed {run.failed}"
    )
    return f"{said}; {run.error}" if run.error else said


def _export_row(health) -> tuple:
    c, event, run = health.connection, health.last_event, health.last_run
    return (
        c.customer.code,
        c.customer.company_name,
        c.get_platform_display(),
        c.shop_domain,
        c.display_name,
        c.get_status_display(),
        c.status_reason,
        _local(event.received_at) if event else None,
        event.topic if event else "",
        _local(run.started_at) if run else None,
        _poll_said(run),
        health.imported_today,
        health.failed_events,
        c.last_error,
        _local(c.last_error_at),
    )


class ConnectionListView(StaffPermissionRequiredMixin, View):
    """Every customer's connections and their health, filtered; ``?export=1`` downloads the same
    rows as XLSX. A page costs the same few queries however many rows it shows."""

    permission_required = VIEW

    def get(self, request):
        form = ConnectionFilterForm(request.GET)
        filters = form.filters()
        connections = staff_connections(
            status=filters.get("status") or "", platform=filters.get("platform") or "", q=filters.get("q") or ""
        )
        if request.GET.get("export"):
            rows = health_of(list(connections.order_by("-id")[:EXPORT_MAX]))
            data = write_xlsx(EXPORT_COLUMNS, (_export_row(r) for r in rows), sheet_title="Shop connections")
            response = HttpResponse(data, content_type=XLSX)
            response["Content-Disposition"] = (
                f'attachment; filename="shop-connections-{timezone.localdate():%Y%m%d}.xlsx"'
            )
            return response
        page = keyset_page(
            connections, after=request.GET.get("after"), before=request.GET.get("before"), size=PAGE_SIZE
        )
        rows = health_of(page.rows)
        for row in rows:
            row.badge = STATUS_BADGES.get(row.connection.status, "secondary")
        params = request.GET.copy()
        for name in ("export", "after", "before"):
            params.pop(name, None)
        return render(
            request,
            "integrations/staff/connections.html",
            {"form": form, "page": page, "rows": rows, "query": params.urlencode()},
        )


def _health(pk):
    health = staff_connection_health(pk=pk)
    if health is None:
        raise Http404("No such connection.")
    return health


class ConnectionDetailView(StaffPermissionRequiredMixin, View):
    """A connection's health, its recent events (payload with personal data masked; Replay on a
    failed one) and polls, and Pause / Resume."""

    permission_required = VIEW

    def get(self, request, pk):
        return self.page(request, _health(pk))

    @staticmethod
    def page(request, health, *, pause_form=None, status=200):
        connection = health.connection
        page = event_log_page(request, connection, size=EVENTS_PAGE)
        context = {
            "health": health,
            "connection": connection,
            "badge": STATUS_BADGES.get(connection.status, "secondary"),
            "page": page,
            "runs": connection_runs(connection=connection),
            "pause_form": pause_form or PauseForm(),
            "can_manage": request.user.has_perms(MANAGE) and connection.status != ConnectionStatus.DISCONNECTED,
            "can_replay": request.user.has_perms(REPLAY) and connection.status != ConnectionStatus.DISCONNECTED,
            "failed": EventStatus.FAILED,
        }
        return render(request, "integrations/staff/connection.html", context, status=status)


class ConnectionPauseView(StaffPermissionRequiredMixin, View):
    permission_required = MANAGE

    def post(self, request, pk):
        health = _health(pk)
        connection = health.connection
        form = PauseForm(request.POST)
        if not form.is_valid():
            messages.error(request, f"{connection.display_name} was not paused: correct the reason below.")
            return ConnectionDetailView.page(request, health, pause_form=form, status=400)
        reason = form.cleaned_data["reason"]
        who = request.user.email
        try:
            connection_pause(
                actor=request.user,
                connection=connection,
                reason=f"Paused by {who} (Fulfillment Hub): {reason}" if reason else "",
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"{connection.display_name} ({connection.customer.code}) is paused: it is not polled and the "
                "customer cannot Sync now; webhooks the shop sends are still stored and processed.",
            )
        return redirect("backoffice:integration-connection-detail", pk=connection.pk)


class ConnectionResumeView(StaffPermissionRequiredMixin, View):
    permission_required = MANAGE

    def post(self, request, pk):
        connection = _health(pk).connection
        try:
            connection_resume(actor=request.user, connection=connection)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"{connection.display_name} ({connection.customer.code}) is active again; the next poll brings in "
                "what webhooks missed while it was paused.",
            )
        return redirect("backoffice:integration-connection-detail", pk=connection.pk)


class EventReplayView(StaffPermissionRequiredMixin, View):
    permission_required = REPLAY

    def post(self, request, pk, event_pk):
        connection = _health(pk).connection
        event = get_object_or_404(PlatformEvent.objects.filter(connection=connection), pk=event_pk)
        try:
            event_replay(actor=request.user, event=event)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("backoffice:integration-connection-detail", pk=connection.pk)
        event.refresh_from_db(fields=["status", "result"])
        said = f"{event.topic} event replayed"
        if event.status == EventStatus.RECEIVED:
            messages.success(request, f"{said}: it is queued and will be processed in a moment.")
        elif event.status == EventStatus.FAILED:
            messages.warning(request, f"{said}, and it failed again: {event.result}")
        else:
            messages.success(request, f"{said}: {event.get_status_display().lower()}. {event.result}")
        return redirect("backoffice:integration-connection-detail", pk=connection.pk)
