"""eBay's pages and endpoints: Integration › Shops › Connect with eBay (the consent), the
RuName's accepted URL eBay sends the seller back to, and the marketplace account deletion
endpoint eBay requires of every app (validated with a challenge, then signed notifications)."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.core.access import CustomerRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error

from .connect_ebay import ebay_configured, ebay_consent_begin, ebay_consent_finish
from .ebay.auth import origins, scopes_for
from .ebay.notifications import (
    KEYS,
    SIGNATURE_HEADER,
    SignatureRefused,
    challenge_response,
    deletion_read,
    key_fetcher,
    signature_verify,
)
from .forms import EbayConnectForm
from .platforms import PlatformError
from .privacy import account_deletion_store

logger = logging.getLogger(__name__)
CONSENT_SESSION_KEY = "integrations.ebay_consent"  # the consent in progress: state nonce and choices


def _page(request, form=None):
    context = {
        "form": form or EbayConnectForm(customer=request.user.customer),
        "configured": ebay_configured(),
        "scopes": scopes_for(stock_sync=True, identity=True).split(),
        "ru_name": settings.EBAY_RU_NAME,
        "environment": settings.EBAY_ENVIRONMENT,
        "accept_url": request.build_absolute_uri(reverse("integrations:ebay-oauth-callback")),
        "deletion_url": settings.EBAY_DELETION_ENDPOINT_URL
        or request.build_absolute_uri(reverse("integrations:ebay-account-deletion")),
    }
    return render(request, "integrations/connect_ebay.html", context)


class EbayConnectView(CustomerRequiredMixin, View):
    """The options, then off to eBay's consent page (a Reconnect comes here too: consenting with
    the same account renews its connection)."""

    def get(self, request):
        return _page(request)

    def post(self, request):
        form = EbayConnectForm(request.POST, customer=request.user.customer)
        if form.is_valid():
            try:
                url, pending = ebay_consent_begin(
                    actor=request.user, options=form.options(), inventory=bool(form.cleaned_data.get("inventory"))
                )
            except ApplicationError as exc:
                form_add_application_error(form, exc)
            else:
                request.session[CONSENT_SESSION_KEY] = pending
                return redirect(url)
        return _page(request, form)


class EbayConsentCallbackView(CustomerRequiredMixin, View):
    """eBay sends the seller back here (the RuName's accepted and declined URL): the consent this
    session started (its state, used once) is finished, or refused with the reason."""

    def get(self, request):
        pending = request.session.pop(CONSENT_SESSION_KEY, None)
        try:
            result = ebay_consent_finish(actor=request.user, params=request.GET.dict(), pending=pending)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("integrations:connect-ebay")
        c = result.connection
        since = f"created from {c.import_since:%Y-%m-%d}" if c.import_since else "created from today"
        messages.success(
            request,
            f"eBay account {c.shop_domain} is connected. Its orders {since} come in by the poll every 10 minutes "
            "(or “Sync now”).",
        )
        return redirect("integrations:shops")


def _fetch_key(kid: str) -> dict:
    fetch = key_fetcher(
        origins(settings.EBAY_ENVIRONMENT, settings.EBAY_API_BASE or None),
        settings.EBAY_CLIENT_ID,
        settings.EBAY_CLIENT_SECRET,
    )
    return fetch(kid)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ebay_account_deletion(request):
    """GET ?challenge_code: eBay validating the endpoint. POST: a signed MARKETPLACE_ACCOUNT_DELETION
    notification — 204 once verified and stored (acted on in the background), 412 when the
    signature is missing or wrong (nothing stored), 400 for a body that is not one, 503 when
    eBay's key cannot be fetched (eBay sends it again)."""
    if request.method == "GET":
        code = request.GET.get("challenge_code", "")
        token, endpoint = settings.EBAY_VERIFICATION_TOKEN, settings.EBAY_DELETION_ENDPOINT_URL
        if not code or not token or not endpoint:
            return JsonResponse(
                {"code": "not_configured", "message": "No challenge_code, or not configured."}, status=400
            )
        return JsonResponse({"challengeResponse": challenge_response(code, token, endpoint)})
    body = request.body
    try:
        signature_verify(body, request.headers.get(SIGNATURE_HEADER, ""), _fetch_key, KEYS)
    except SignatureRefused as exc:
        logger.info("eBay notification refused: %s", exc)
        return JsonResponse({"code": "bad_signature", "message": str(exc)}, status=412)
    except PlatformError as exc:
        logger.warning("eBay notification: public key unavailable: %s", exc)
        return JsonResponse({"code": "key_unavailable", "message": "Try again later."}, status=503)
    try:
        user = deletion_read(body)
    except (ValueError, UnicodeDecodeError) as exc:
        text = str(exc) if not isinstance(exc, json.JSONDecodeError) else "The body is not JSON."
        return JsonResponse({"code": "not_a_deletion", "message": text}, status=400)
    account_deletion_store(user=user, headers=request.headers, body=body)
    return HttpResponse(status=204)
