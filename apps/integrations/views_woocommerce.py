"""WooCommerce's own pages and endpoints: its webhook (no session, no CSRF: the signature is the
authentication), the connect form, and the key handshake's callback and return. The shared
Shops pages (card, Sync now, events, mapping) serve WooCommerce connections as they are."""

from __future__ import annotations

import json
import logging

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.core.access import CustomerRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error
from apps.core.tenancy import customer_scope

from .choices import ConnectionStatus, Platform
from .connect import ConnectResult
from .connect_woocommerce import (
    WooOptions,
    handshake_finish,
    handshake_state,
    handshake_url,
    status_choices,
    woo_connect,
    woo_options_clean,
)
from .errors import SecretsUnavailable
from .forms import ShopOptionsForm
from .models import Connection
from .rules import REDACTED, headers_lower, headers_redacted
from .selectors import connection_for_webhook
from .services import event_store
from .woocommerce.webhooks import (
    DELIVERY_ID_HEADER,
    ORDER_TOPICS,
    SIGNATURE_HEADER,
    TOPIC_HEADER,
    event_key,
    is_ping,
    woo_signature_ok,
)

logger = logging.getLogger(__name__)

UNKNOWN = {"code": "not_found", "message": "No such connection."}
NO_KEYS = {"code": "secrets_unavailable", "message": "The webhook cannot be verified right now; try again later."}
BAD_SIGNATURE = {
    "code": "invalid_signature",
    "message": "The webhook signature does not match this connection's secret.",
}


@csrf_exempt
@require_POST
def woocommerce_webhook(request, connection_id):
    """200 for WooCommerce's activation ping (``webhook_id=N``, unsigned: nothing stored) and for a
    delivery stored now or before; 401 when the signature is missing or wrong (nothing stored);
    404 for an unknown or disconnected connection; 503 when our keys cannot open its secret."""
    connection = connection_for_webhook(platform=Platform.WOOCOMMERCE, pk=connection_id)
    if connection is None:
        return JsonResponse(UNKNOWN, status=404)
    body = request.body
    if is_ping(request.headers, body):
        return JsonResponse({"status": "ok"})
    given = headers_lower(request.headers)
    topic = given.get(TOPIC_HEADER, "").strip()[:100] or "unknown"
    with customer_scope(connection.customer):
        try:
            secret = connection.webhook_secret()
        except SecretsUnavailable:
            logger.error("connection %s: no key in INTEGRATION_KEYS decrypts its webhook secret", connection.pk)
            return JsonResponse(NO_KEYS, status=503)
        if not woo_signature_ok(secret, body, given.get(SIGNATURE_HEADER, "")):
            logger.info("WooCommerce webhook refused for connection %s: bad signature", connection.pk)
            return JsonResponse(BAD_SIGNATURE, status=401)
        headers = headers_redacted(given)
        headers[SIGNATURE_HEADER] = REDACTED
        event, created = event_store(
            connection=connection,
            topic=topic,
            event_id=event_key(topic, body),
            webhook_id=given.get(DELIVERY_ID_HEADER, ""),
            headers=headers,
            body=body,
        )
    return JsonResponse({"status": "stored" if created else "duplicate", "event": event.pk})


def webhook_url_of(request, connection: Connection) -> str:
    return request.build_absolute_uri(reverse("integrations:woocommerce-webhook", args=[connection.pk]))


# --- Connecting ------------------------------------------------------------------------------


class WooOptionsForm(ShopOptionsForm):
    """The shop options, WooCommerce's way: the store's address, its statuses to import."""

    import_statuses = forms.MultipleChoiceField(
        label="Import orders that are",
        choices=status_choices,
        initial=["processing"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Processing is paid and waiting to ship: WooCommerce's usual choice.",
    )
    complete_on_ship = forms.BooleanField(
        label="Mark the order Completed on WooCommerce when it ships (the customer gets the Completed e-mail)",
        required=False,
        initial=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shop_domain"].label = "Store address"
        self.fields["shop_domain"].help_text = "Your store's https address, e.g. https://shop.example.com."
        self.fields.pop("mode", None)
        if "api_base" in self.fields:
            self.fields["api_base"].help_text = "Another server in the store's place, e.g. the local fake. Dev only."

    def woo(self) -> WooOptions:
        data = self.cleaned_data
        woo = woo_options_clean(data.get("import_statuses") or None)
        return WooOptions(import_statuses=woo.import_statuses, complete_on_ship=bool(data.get("complete_on_ship")))


class WooKeysForm(WooOptionsForm):
    consumer_key = forms.CharField(label="Consumer key", max_length=255, required=False)
    consumer_secret = forms.CharField(
        label="Consumer secret",
        max_length=255,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted, never shown again.",
    )
    field_order = ["shop_domain", "consumer_key", "consumer_secret"]


def _forms(request, data=None):
    allow = bool(settings.INTEGRATION_ALLOW_API_BASE)
    customer = request.user.customer
    return (
        WooKeysForm(data, customer=customer, allow_api_base=allow, prefix="keys"),
        WooOptionsForm(data, customer=customer, allow_api_base=allow, prefix="auth"),
    )


def _page(request, *, form=None, handshake_form=None):
    keys_form, auth_form = _forms(request)
    example = request.build_absolute_uri(reverse("integrations:woocommerce-webhook", args=[0]))
    context = {
        "form": form or keys_form,
        "handshake_form": handshake_form or auth_form,
        "webhook_url_example": example.replace("/0/", "/<connection id>/"),
        "topics": ORDER_TOPICS,
    }
    return render(request, "integrations/connect_woocommerce.html", context)


def connected_message(request, result: ConnectResult) -> None:
    c = result.connection
    since = f"created from {c.import_since:%Y-%m-%d}" if c.import_since else "created from today"
    messages.success(
        request,
        f"{c.display_name} ({c.shop_domain}) is connected; {result.subscribed} webhooks made on the store. "
        f"Its orders {since} come in by themselves.",
    )
    if result.warning:
        messages.warning(request, result.warning)


class WooConnectView(CustomerRequiredMixin, View):
    """Integration › Shops › Connect a WooCommerce store: with keys (this form), or through the
    store's approval page (WooHandshakeStartView)."""

    def get(self, request):
        return _page(request)

    def post(self, request):
        form, _auth = _forms(request, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = woo_connect(
                    actor=request.user,
                    store_url=data["shop_domain"],
                    consumer_key=data.get("consumer_key") or "",
                    consumer_secret=data.get("consumer_secret") or "",
                    options=form.options(),
                    woo=form.woo(),
                    webhook_url=lambda connection: webhook_url_of(request, connection),
                )
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                connected_message(request, result)
                return redirect("integrations:shops")
        return _page(request, form=form)


class WooHandshakeStartView(CustomerRequiredMixin, View):
    """“Connect with WooCommerce”: off to the store's approval page, which sends the keys to our
    callback and the seller back to WooHandshakeReturnView."""

    def post(self, request):
        _keys, form = _forms(request, request.POST)
        if form.is_valid():
            try:
                url = handshake_url(
                    actor=request.user,
                    store_url=form.cleaned_data["shop_domain"],
                    options=form.options(),
                    woo=form.woo(),
                    return_url=request.build_absolute_uri(reverse("integrations:woocommerce-return")),
                    callback_url=request.build_absolute_uri(reverse("integrations:woocommerce-callback")),
                )
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                return redirect(url)
        return _page(request, handshake_form=form)


@csrf_exempt
@require_POST
def woocommerce_handshake_callback(request):
    """The store POSTs the keys here (JSON). 200 only when the store is connected: anything else
    makes WooCommerce delete the keys and tell the seller."""
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        payload = None
    try:
        result = handshake_finish(payload=payload, webhook_url=lambda connection: webhook_url_of(request, connection))
    except ApplicationError as exc:
        logger.info("WooCommerce key handshake refused: %s", exc.message)
        return JsonResponse(exc.as_dict(), status=400)
    return JsonResponse({"status": "connected", "connection": result.connection.pk})


class WooHandshakeReturnView(CustomerRequiredMixin, View):
    """Where the store sends the seller back: ``success=1`` once the callback connected it."""

    def get(self, request):
        try:
            state = handshake_state(request.GET.get("user_id", ""))
        except ApplicationError as exc:
            messages.warning(request, exc.message)
            return redirect("integrations:woocommerce-connect")
        if state.get("u") != request.user.pk:
            messages.warning(request, "This WooCommerce approval was started by someone else; nothing was changed.")
            return redirect("integrations:shops")
        if request.GET.get("success") != "1":
            messages.warning(request, f"{state['d']} was not connected: the approval was denied on WooCommerce.")
            return redirect("integrations:woocommerce-connect")
        connection = (
            Connection.objects.filter(platform=Platform.WOOCOMMERCE, shop_domain=state["d"])
            .exclude(status=ConnectionStatus.DISCONNECTED)
            .first()
        )
        if connection is None:
            messages.warning(request, f"{state['d']} approved, but the keys did not reach us; connect it again.")
            return redirect("integrations:woocommerce-connect")
        subscribed = len(connection.webhook_subscriptions or [])
        result = ConnectResult(connection, connection.display_name, subscribed, connection.setup_warning)
        connected_message(request, result)
        return redirect("integrations:shops")
