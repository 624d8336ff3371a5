"""Inbound webhooks (DESIGN §10): no session, no CSRF token; the signature is the authentication.
And the portal's Integration › Shops pages (a customer's connections, their event log and SKU mapping)."""

import logging
from urllib.parse import parse_qsl

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.catalog.selectors import product_list, products_by_code
from apps.core.access import CustomerRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error
from apps.core.keyset import keyset_page
from apps.core.tenancy import customer_scope
from apps.documents.models import JobStatus

from .choices import ConnectionMode, ConnectionStatus, EventStatus, Platform
from .connect import ConnectResult, connection_disconnect, oauth_begin, oauth_configured, oauth_finish, shop_connect
from .errors import SecretsUnavailable, WebhookRefused
from .forms import CLIENT_CREDENTIALS, ShopifyConnectForm, ShopifyInstallForm
from .fulfillment_service import (
    callback_url_of,
    fulfillment_notification_receive,
    fulfillment_requests_now,
    fulfillment_services_register_now,
)
from .mapping import sku_map
from .models import Connection, SkuMapping
from .rules import event_body_masked
from .selectors import (
    connection_events,
    connection_for_webhook,
    connection_list,
    fulfillment_services_by_connection,
    sku_mappings_of,
)
from .services import connection_pause, connection_resume, webhook_receive
from .stock_out import stock_sync_disable, stock_sync_enable
from .sync_now import sync_now_start

logger = logging.getLogger(__name__)

UNKNOWN = {"code": "not_found", "message": "No such connection."}
# Our keys cannot open the connection's secret (INTEGRATION_KEYS changed without the old key):
# nothing can be verified, so nothing is stored, and a 503 makes the platform deliver it again later.
NO_KEYS = {"code": "secrets_unavailable", "message": "The webhook cannot be verified right now; try again later."}


@csrf_exempt
@require_POST
def shopify_webhook(request, connection_id):
    """200 when the delivery is stored or was stored before; 401 on a wrong signature (nothing
    stored); 404 for an unknown or disconnected connection; 503 when our keys cannot open the
    connection's secret. Processing happens in the background."""
    topic = request.headers.get("X-Shopify-Topic", "")
    connection = connection_for_webhook(platform=Platform.SHOPIFY, pk=connection_id, topic=topic)
    if connection is None:
        return JsonResponse(UNKNOWN, status=404)
    with customer_scope(connection.customer):
        try:
            event, created = webhook_receive(connection=connection, headers=request.headers, body=request.body)
        except WebhookRefused as exc:
            return JsonResponse(exc.as_dict(), status=exc.http_status)
        except SecretsUnavailable:
            logger.error("connection %s: no key in INTEGRATION_KEYS decrypts its webhook secret", connection.pk)
            return JsonResponse(NO_KEYS, status=503)
    return JsonResponse({"status": "stored" if created else "duplicate", "event": event.pk})


@csrf_exempt
@require_POST
def shopify_fulfillment_notification(request, connection_id):
    """Shopify's fulfillment_order_notification (our callback URL + that path): verified like the
    webhook, answered at once; the requests are read from the shop in the background."""
    connection = connection_for_webhook(platform=Platform.SHOPIFY, pk=connection_id)
    if connection is None:
        return JsonResponse(UNKNOWN, status=404)
    with customer_scope(connection.customer):
        try:
            kind = fulfillment_notification_receive(connection=connection, headers=request.headers, body=request.body)
        except WebhookRefused as exc:
            return JsonResponse(exc.as_dict(), status=exc.http_status)
        except SecretsUnavailable:
            logger.error("connection %s: no key in INTEGRATION_KEYS decrypts its webhook secret", connection.pk)
            return JsonResponse(NO_KEYS, status=503)
    return JsonResponse({"status": "queued", "kind": kind})


# --- Portal: Integration › Shops (a customer's connections) ------------------------------------

EVENTS_PAGE = 25
PRODUCT_CHOICES = 500  # the datalist's suggestions; any SKU or UPC of the customer's is accepted
SHOPIFY_TOPICS = ("orders/create", "orders/updated", "orders/cancelled", "app/uninstalled")
STATUS_BADGES = {
    ConnectionStatus.ACTIVE: "success",
    ConnectionStatus.PAUSED: "secondary",
    ConnectionStatus.NEEDS_ATTENTION: "warning",
    ConnectionStatus.DISCONNECTED: "dark",
}
EVENT_BADGES = {
    EventStatus.RECEIVED: "info",
    EventStatus.PROCESSED: "success",
    EventStatus.IGNORED: "secondary",
    EventStatus.FAILED: "danger",
}


def _connection(pk) -> Connection:
    """The signed-in customer's connection (the middleware's scope): another's is a 404."""
    return get_object_or_404(
        Connection.objects.select_related("customer", "default_warehouse").exclude(
            status=ConnectionStatus.DISCONNECTED
        ),
        pk=pk,
    )


def _webhook_url(request, connection: Connection) -> str:
    """Where the platform delivers the connection's webhooks ("" for a platform that has none we use)."""
    try:
        path = reverse(f"integrations:{connection.platform}-webhook", args=[connection.pk])
    except NoReverseMatch:
        return ""
    return request.build_absolute_uri(path)


# The Shops page's connect buttons: (platform, label, URL name) of each platform built.
CONNECT_LINKS = [
    (Platform.SHOPIFY, "Connect a Shopify shop", "integrations:connect-shopify"),
    (Platform.WOOCOMMERCE, "Connect a WooCommerce store", "integrations:woocommerce-connect"),
    (Platform.EBAY, "Connect with eBay", "integrations:connect-ebay"),
]


# Connecting renews a live connection in place (a card needing attention offers Reconnect); others: disconnect first.
RENEWS_IN_PLACE = frozenset({Platform.EBAY})


def _guide(platform: str) -> str:
    """The card's step-by-step guide: the platform's template, or "" when it has none."""
    name = f"integrations/guides/{platform}.html"
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return ""
    return name


class ShopListView(CustomerRequiredMixin, View):
    """Integration › Shops: a card per connection with its health and its platform's guide."""

    def get(self, request):
        cards = connection_list(customer=request.user.customer)
        services = fulfillment_services_by_connection(connections=[card.connection for card in cards])
        for card in cards:
            card.webhook_url = _webhook_url(request, card.connection)
            card.services = services.get(card.connection.pk, [])
            card.badge = STATUS_BADGES.get(card.connection.status, "secondary")
            card.guide = _guide(card.connection.platform)
            platform = card.connection.platform if card.connection.platform in RENEWS_IN_PLACE else None
            card.connect_url = next((reverse(n) for p, _l, n in CONNECT_LINKS if p == platform), "")
        context = {"cards": cards, "topics": SHOPIFY_TOPICS, "connect_links": CONNECT_LINKS}
        return render(request, "integrations/shops.html", context)


class ConnectionSyncView(CustomerRequiredMixin, View):
    def post(self, request, pk):
        connection = _connection(pk)
        if connection.mode == ConnectionMode.FULFILLMENT_SERVICE:
            return self.requests(request, connection)
        try:
            job = sync_now_start(actor=request.user, connection=connection)
        except ApplicationError as exc:
            messages.warning(request, exc.message)
            return redirect("integrations:shops")
        if not job.is_finished:
            messages.info(request, f"Sync of {connection.display_name} started: this page shows its progress.")
            return redirect("documents:job", pk=job.pk)
        if job.status == JobStatus.FAILED:
            messages.error(request, job.message)
        elif job.result.get("failed"):
            messages.warning(request, job.message)
        else:
            messages.success(request, job.message)
        return redirect("integrations:shops")

    def requests(self, request, connection):
        try:
            counts = fulfillment_requests_now(actor=request.user, connection=connection)
        except ApplicationError as exc:
            messages.warning(request, exc.message)
            return redirect("integrations:shops")
        said = (
            f"{counts.fetched} request(s) read: {counts.accepted} accepted, {counts.rejected} rejected, "
            f"{counts.waiting} waiting, {counts.cancelled} cancellation(s) accepted, "
            f"{counts.cancellations_rejected} refused, {counts.failed} failed"
        )
        if counts.error:
            messages.error(request, f"Requests of {connection.display_name} not read: {counts.error}")
        elif counts.failed:
            messages.warning(request, f"{connection.display_name}: {said}.")
        else:
            messages.success(request, f"{connection.display_name}: {said}.")
        return redirect("integrations:shops")


class ConnectionRegisterServicesView(CustomerRequiredMixin, View):
    """Fulfillment-service mode: register the warehouses of the plan that have no service yet."""

    def post(self, request, pk):
        connection = _connection(pk)
        try:
            result = fulfillment_services_register_now(
                actor=request.user,
                connection=connection,
                callback_url=callback_url_of(_webhook_url(request, connection)),
            )
        except ApplicationError as exc:
            messages.warning(request, exc.message)
            return redirect("integrations:shops")
        if result.created:
            names = ", ".join(service.name for service in result.created)
            messages.success(request, f"Registered on {connection.shop_domain}: {names}.")
        else:
            messages.info(request, f"Every warehouse of your plan is registered on {connection.shop_domain} already.")
        return redirect("integrations:shops")


class ConnectionPauseView(CustomerRequiredMixin, View):
    def post(self, request, pk):
        connection = _connection(pk)
        try:
            connection_pause(actor=request.user, connection=connection)
        except ApplicationError as exc:
            messages.warning(request, exc.message)
        else:
            messages.success(
                request,
                f"{connection.display_name} is paused: it is not polled and Sync now is off; orders the shop "
                "sends by webhook still come in.",
            )
        return redirect("integrations:shops")


class ConnectionResumeView(CustomerRequiredMixin, View):
    def post(self, request, pk):
        connection = _connection(pk)
        try:
            connection_resume(actor=request.user, connection=connection)
        except ApplicationError as exc:
            messages.warning(request, exc.message)
        else:
            messages.success(request, f"{connection.display_name} is active again.")
        return redirect("integrations:shops")


class ConnectionStockView(CustomerRequiredMixin, View):
    """The "Send stock levels to Shopify" switch: on (finds the location, queues a full push) or off."""

    def post(self, request, pk):
        connection = _connection(pk)
        try:
            if request.POST.get("enable") == "1":
                connection = stock_sync_enable(actor=request.user, connection=connection)
                where = ("the location " if connection.platform == Platform.SHOPIFY else "") + (
                    connection.stock_location_name
                )
                messages.success(
                    request,
                    f"Stock levels of {connection.display_name} go to {where} "
                    "now, and after each stock change (at most once a minute).",
                )
            else:
                stock_sync_disable(actor=request.user, connection=connection)
                messages.success(request, f"Stock levels are no longer sent to {connection.display_name}.")
        except ApplicationError as exc:
            messages.warning(request, exc.message)
        return redirect("integrations:shops")


def event_log_page(request, connection: Connection, size: int = EVENTS_PAGE):
    """A page of the connection's event log (the request's after/before keys), each event with
    its body masked and its badge: the portal's and the back office's log."""
    page = keyset_page(
        connection_events(connection=connection),
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=size,
    )
    for event in page.rows:
        event.body_masked = event_body_masked(event.body)
        event.badge = EVENT_BADGES.get(event.status, "secondary")
    return page


class ConnectionEventsView(CustomerRequiredMixin, View):
    """A connection's event log (personal data masked) and its SKU mapping, unmapped first."""

    def get(self, request, pk):
        connection = _connection(pk)
        page = event_log_page(request, connection)
        products = product_list(customer=request.user.customer, status="active").only("sku", "name")
        context = {
            "connection": connection,
            "page": page,
            "mappings": sku_mappings_of(connection=connection),
            "products": products[:PRODUCT_CHOICES],
        }
        return render(request, "integrations/events.html", context)


class SkuMapView(CustomerRequiredMixin, View):
    """Map one platform item to a product (typed as our SKU or UPC); retries the orders it held."""

    def post(self, request, pk, mapping_pk):
        connection = _connection(pk)
        mapping = get_object_or_404(SkuMapping.objects.filter(connection=connection), pk=mapping_pk)
        back = reverse("integrations:connection-events", args=[connection.pk]) + "#sku-mapping"
        code = (request.POST.get("product") or "").strip()[:100]
        if not code:
            messages.warning(request, "Type one of your SKUs (or its UPC) to map this item to.")
            return redirect(back)
        product = products_by_code(customer=request.user.customer, codes=[code]).get(code.lower())
        if product is None:
            messages.warning(request, f"{code} is none of your products' SKUs or UPCs.")
            return redirect(back)
        try:
            result = sku_map(actor=request.user, connection=connection, mapping=mapping, product=product)
        except ApplicationError as exc:
            messages.warning(request, exc.message)
            return redirect(back)
        messages.success(request, mapped_message(mapping, product, result))
        for problem in result.problems:
            messages.warning(request, f"Order {problem}")
        return redirect(back)


def mapped_message(mapping: SkuMapping, product, result) -> str:
    label = mapping.platform_sku or mapping.title or f"variant {mapping.variant_id}"
    said = [f"{label} is mapped to {product.sku}."]
    if result.retried:
        said.append(f"{result.retried} waiting order(s) got the item and are back in Confirming")
        if result.submitted:
            said[-1] += f"; {result.submitted} submitted"
        said[-1] += "."
    if result.waiting:
        said.append(f"{result.waiting} order(s) still wait for another unmapped item.")
    return " ".join(said)


# --- Portal: connecting and disconnecting a shop ------------------------------------------------

OAUTH_SESSION_KEY = "integrations.shopify_oauth"  # the install in progress: state nonce and choices


def _connect_page(request, *, form=None, install_form=None):
    customer, allow = request.user.customer, bool(settings.INTEGRATION_ALLOW_API_BASE)
    example = request.build_absolute_uri(reverse("integrations:shopify-webhook", args=[0]))
    context = {
        "form": form or ShopifyConnectForm(customer=customer, allow_api_base=allow),
        "install_form": install_form or ShopifyInstallForm(customer=customer, allow_api_base=allow),
        "oauth_configured": oauth_configured(),
        "callback_url": request.build_absolute_uri(reverse("integrations:shopify-oauth-callback")),
        "webhook_url_example": example.replace("/0/", "/<connection id>/"),
        "topics": SHOPIFY_TOPICS,
        "scopes": [s for s in settings.SHOPIFY_APP_SCOPES.split(",") if s],
    }
    return render(request, "integrations/connect.html", context)


def _connected_message(request, result: ConnectResult) -> None:
    c = result.connection
    since = f"created from {c.import_since:%Y-%m-%d}" if c.import_since else "created from today"
    messages.success(
        request,
        f"{c.display_name} ({c.shop_domain}) is connected; {result.subscribed} webhook subscriptions made. "
        f"Its orders {since} come in by themselves.",
    )
    if result.services:
        messages.success(request, f"{result.services} warehouse(s) registered on Shopify as fulfillment services.")
    if result.warning:
        messages.warning(request, result.warning)


class ShopConnectView(CustomerRequiredMixin, View):
    """Integration › Shops › Connect a Shopify shop: the seller's own Dev-Dashboard app (this
    form) or our public app's OAuth install (ShopInstallView)."""

    def get(self, request):
        return _connect_page(request)

    def post(self, request):
        form = ShopifyConnectForm(
            request.POST, customer=request.user.customer, allow_api_base=bool(settings.INTEGRATION_ALLOW_API_BASE)
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = shop_connect(
                    actor=request.user,
                    shop_domain=data["shop_domain"],
                    client_id=data.get("client_id") or "",
                    client_secret=data.get("client_secret") or "",
                    access_token=data.get("access_token") or "",
                    use_client_credentials=data["auth"] == CLIENT_CREDENTIALS,
                    options=form.options(),
                    webhook_url=lambda connection: _webhook_url(request, connection),
                )
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                _connected_message(request, result)
                return redirect("integrations:shops")
        return _connect_page(request, form=form)


class ShopInstallView(CustomerRequiredMixin, View):
    """Start our public app's install: remember a state nonce in the session, send the merchant
    to Shopify to approve."""

    def post(self, request):
        form = ShopifyInstallForm(
            request.POST, customer=request.user.customer, allow_api_base=bool(settings.INTEGRATION_ALLOW_API_BASE)
        )
        if form.is_valid():
            try:
                url, pending = oauth_begin(
                    actor=request.user,
                    shop_domain=form.cleaned_data["shop_domain"],
                    options=form.options(),
                    redirect_uri=request.build_absolute_uri(reverse("integrations:shopify-oauth-callback")),
                )
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                request.session[OAUTH_SESSION_KEY] = pending
                return redirect(url)
        return _connect_page(request, install_form=form)


class ShopifyOAuthCallbackView(CustomerRequiredMixin, View):
    """Shopify sends the merchant back here after approving: the install this session started
    (its state, used once) is finished, or refused with the reason and nothing saved."""

    def get(self, request):
        pending = request.session.pop(OAUTH_SESSION_KEY, None)
        params = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
        try:
            result = oauth_finish(
                actor=request.user,
                params=params,
                pending=pending,
                webhook_url=lambda connection: _webhook_url(request, connection),
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("integrations:connect-shopify")
        _connected_message(request, result)
        return redirect("integrations:shops")


class ConnectionDisconnectView(CustomerRequiredMixin, View):
    def post(self, request, pk):
        connection = _connection(pk)
        try:
            result = connection_disconnect(
                actor=request.user, connection=connection, confirm=request.POST.get("confirm", "")
            )
        except ApplicationError as exc:
            messages.warning(request, exc.message)
            return redirect("integrations:shops")
        said = (
            f"{connection.display_name} ({connection.shop_domain}) is disconnected: its credentials are deleted and "
            "its webhook answers 404 from now on. Its orders stay here, and the shop can be connected again."
        )
        if result.unsubscribed:
            said += f" {result.unsubscribed} webhook subscription(s) were removed from the shop."
        if result.left:
            said += f" {result.left} could not be removed; Shopify drops them after repeated failures."
        if result.services_removed:
            said += f" {result.services_removed} fulfillment service(s) were removed; their locations stay yours."
        if result.services_left:
            said += (
                f" {result.services_left} fulfillment service(s) could not be removed: delete them in the shop's admin."
            )
        said += " To revoke our access on Shopify's side too, uninstall the app in the shop's admin."
        messages.success(request, said)
        return redirect("integrations:shops")
