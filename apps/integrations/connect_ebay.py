"""Connecting an eBay seller account: eBay's consent (OAuth authorization-code grant), the
callback, and a connection made from tokens a script already holds.

- ``ebay_consent_begin``: the consent URL on auth.ebay.com (our app's keys from settings:
  EBAY_CLIENT_ID, EBAY_RU_NAME; the scopes sell.fulfillment, sell.inventory when asked for, and
  commerce.identity.readonly to learn who consented), with a state nonce the customer's session
  keeps with the options chosen;
- ``ebay_consent_finish``: eBay's redirect to the RuName's accepted URL — the state is checked, a
  refusal (``error=access_denied``) said, the code exchanged for the ~2-hour token and the
  ~18-month refresh token (EBAY_CLIENT_SECRET), and getUser asked who the seller is. The account's
  live connection of this customer is renewed in place (Reconnect), or a new one made;
- ``ebay_connect_tokens``: the same from a token (and refresh token) given on the command line.
Nothing is saved before eBay has answered; every refusal is a ValidationFailed sentence.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.core.errors import PermissionDenied, ValidationFailed
from apps.warehouses.selectors import customer_warehouses

from .choices import AuthMethod, ConnectionStatus, Platform
from .connect import ConnectOptions, ConnectResult
from .ebay.auth import TokenGrant, authorize_url, code_token, origins, scopes_for
from .ebay.client import EbayClient
from .models import Connection
from .oauth import state_new, state_ok
from .platforms import PlatformError
from .services import account_name_clean, api_base_clean, connection_create


def ebay_configured() -> bool:
    return bool(settings.EBAY_CLIENT_ID and settings.EBAY_CLIENT_SECRET and settings.EBAY_RU_NAME)


def _customer(actor):
    customer = getattr(actor, "customer", None)
    if customer is None:
        raise PermissionDenied("Connections belong to a customer: sign in as the customer's user.")
    return customer


def _api_base(options: ConnectOptions) -> str:
    return api_base_clean(options.api_base or settings.EBAY_API_BASE)


def ebay_consent_begin(*, actor, options: ConnectOptions, inventory: bool = False) -> tuple[str, dict]:
    """(eBay's consent URL to send the seller to, what the session keeps until the callback)."""
    customer = _customer(actor)
    if not ebay_configured():
        raise ValidationFailed(
            "eBay is not configured on this hub (EBAY_CLIENT_ID, EBAY_CLIENT_SECRET and EBAY_RU_NAME are unset).",
            code="ebay_not_configured",
        )
    warehouse = options.default_warehouse
    if warehouse is not None and not customer_warehouses(customer=customer).filter(pk=warehouse.pk).exists():
        raise ValidationFailed("Choose one of the warehouses in your logistics plan.", code="unknown_warehouse")
    api_base = _api_base(options)
    scopes = scopes_for(stock_sync=inventory, identity=True)
    state = state_new()
    pending = {
        "state": state,
        "customer_id": customer.pk,
        "api_base": api_base,
        "scopes": scopes,
        "display_name": options.display_name,
        "warehouse_id": warehouse.pk if warehouse is not None else None,
        "import_since": options.import_since.isoformat() if options.import_since else "",
        "submit_automatically": bool(options.submit_automatically),
    }
    url = authorize_url(
        origin=origins(settings.EBAY_ENVIRONMENT, api_base or None).auth,
        client_id=settings.EBAY_CLIENT_ID,
        ru_name=settings.EBAY_RU_NAME,
        scopes=scopes,
        state=state,
    )
    return url, pending


def _pending_options(customer, pending: dict) -> ConnectOptions:
    warehouse = None
    if pending.get("warehouse_id"):
        warehouse = customer_warehouses(customer=customer).filter(pk=pending["warehouse_id"]).first()
    since = pending.get("import_since") or ""
    return ConnectOptions(
        display_name=pending.get("display_name") or "",
        default_warehouse=warehouse,
        import_since=datetime.date.fromisoformat(since) if since else None,
        submit_automatically=bool(pending.get("submit_automatically")),
        api_base=pending.get("api_base") or "",
    )


def ebay_consent_finish(*, actor, params: dict, pending: dict | None) -> ConnectResult:
    """eBay's redirect back (see the module); refuses and saves nothing on any mismatch."""
    customer = _customer(actor)
    if (
        not pending
        or pending.get("customer_id") != customer.pk
        or not state_ok(pending["state"], params.get("state", ""))
    ):
        raise ValidationFailed(
            "This answer does not belong to a connection started from this session (state mismatch): refused, "
            "nothing was saved. Start again with “Connect with eBay”.",
            code="bad_state",
        )
    if params.get("error"):
        raise ValidationFailed(
            f"eBay did not grant access ({params.get('error')}): nothing was saved. Start again and choose "
            "“Agree” on eBay's page to connect.",
            code="consent_declined",
        )
    code = (params.get("code") or "").strip()
    if not code:
        raise ValidationFailed("eBay sent no authorization code: nothing was saved. Start again.", code="no_code")
    options = _pending_options(customer, pending)
    try:
        grant = code_token(
            origin=origins(settings.EBAY_ENVIRONMENT, options.api_base or None).api,
            client_id=settings.EBAY_CLIENT_ID,
            client_secret=settings.EBAY_CLIENT_SECRET,
            code=code,
            ru_name=settings.EBAY_RU_NAME,
            now=timezone.now(),
        )
    except PlatformError as exc:
        raise ValidationFailed(f"{exc.message} Nothing was saved.", code="token_refused") from None
    return _connected(actor=actor, grant=grant, options=options, scopes=pending.get("scopes") or scopes_for())


def ebay_connect_tokens(
    *, actor, access_token: str, refresh_token: str = "", expires_in: int | None = None, options: ConnectOptions
) -> ConnectResult:
    """A connection from tokens a script holds (``integration_connect … ebay --token``); without a
    refresh token the access token is used until eBay refuses it."""
    _customer(actor)
    now = timezone.now()
    grant = TokenGrant(
        access_token=(access_token or "").strip(),
        expires_at=now + datetime.timedelta(seconds=expires_in) if expires_in else None,
        refresh_token=(refresh_token or "").strip(),
        refresh_token_expires_at=now + datetime.timedelta(days=540) if refresh_token else None,
    )
    if not grant.access_token:
        raise ValidationFailed("Give the eBay user access token.", code="invalid_token")
    options = ConnectOptions(**{**options.__dict__, "api_base": _api_base(options)})
    return _connected(actor=actor, grant=grant, options=options, scopes=scopes_for())


def _seller(grant: TokenGrant, api_base: str) -> dict:
    """getUser with the new token: who consented (proves the token works, names the connection)."""
    try:
        with EbayClient(
            origins=origins(settings.EBAY_ENVIRONMENT, api_base or None),
            access_token=grant.access_token,
            max_attempts=2,
        ) as client:
            user = client.user()
    except PlatformError as exc:
        text = f"eBay refused the new token ({exc.message}); nothing was saved."
        raise ValidationFailed(text, code="token_refused") from None
    if not user.get("username"):
        raise ValidationFailed("eBay did not say which account consented; nothing was saved.", code="no_user")
    return user


def _connected(*, actor, grant: TokenGrant, options: ConnectOptions, scopes: str) -> ConnectResult:
    customer = _customer(actor)
    user = _seller(grant, options.api_base)
    name = account_name_clean(str(user["username"]))
    auth_method = AuthMethod.OAUTH if grant.refresh_token else AuthMethod.TOKEN
    with transaction.atomic():
        existing = (
            Connection.objects.select_for_update(of=("self",))
            .filter(customer=customer, platform=Platform.EBAY, shop_domain=name)
            .exclude(status=ConnectionStatus.DISCONNECTED)
            .first()
        )
        if existing is not None:  # Reconnect: the same account's connection gets the new tokens
            credentials = existing.credentials()
            credentials.update(access_token=grant.access_token, scopes=scopes)
            if grant.refresh_token:
                credentials["refresh_token"] = grant.refresh_token
                existing.refresh_token_expires_at = grant.refresh_token_expires_at
            existing.set_credentials(credentials)
            existing.token_expires_at = grant.expires_at
            existing.auth_method = auth_method
            existing.status, existing.status_reason = ConnectionStatus.ACTIVE, ""
            existing.api_base = options.api_base
            existing.save()
            return ConnectResult(connection=existing, shop_name=name, subscribed=0, warning="")
        connection = connection_create(
            actor=actor,
            platform=Platform.EBAY,
            shop_domain=name,
            webhook_secret=secrets.token_urlsafe(32),  # eBay signs with its own keys; kept for the model's rule
            token=grant.access_token,
            refresh_token=grant.refresh_token,
            token_expires_at=grant.expires_at,
            refresh_token_expires_at=grant.refresh_token_expires_at,
            auth_method=auth_method,
            api_base=options.api_base,
            display_name=options.display_name or name,
            default_warehouse=options.default_warehouse,
            import_since=options.import_since or timezone.localdate(),
            submit_automatically=options.submit_automatically,
        )
        credentials = connection.credentials()
        credentials["scopes"] = scopes
        credentials["user_id"] = str(user.get("userId") or "")
        connection.set_credentials(credentials)
        connection.save(update_fields=["credentials_encrypted"])
    return ConnectResult(connection=connection, shop_name=name, subscribed=0, warning="")
