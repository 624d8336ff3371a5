"""An eBay connection's user access token, renewed before it lapses (about every 2 hours) with the
refresh token (about 18 months), like ``integrations.tokens`` does for Shopify.

The connection row is locked while renewing, so two workers never both renew: the second waits,
then sees the fresh token and uses it. eBay refusing the refresh token (``invalid_grant``: revoked,
expired, the seller changed their password) is final: the connection becomes "needs attention"
with a sentence, and the seller reconnects through eBay's consent again.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..choices import ConnectionStatus
from ..models import Connection
from ..platforms import PlatformError
from .auth import origins, refreshed_token, scopes_for

REFRESH_MARGIN = datetime.timedelta(minutes=5)


def app_keys() -> tuple[str, str]:
    return settings.EBAY_CLIENT_ID, settings.EBAY_CLIENT_SECRET


def connection_origins(connection: Connection):
    return origins(settings.EBAY_ENVIRONMENT, connection.api_base or None)


def _expiring(connection: Connection, now: datetime.datetime) -> bool:
    expires = connection.token_expires_at
    return expires is not None and expires - REFRESH_MARGIN <= now


def connection_token(connection: Connection, *, refused: str = "") -> str:
    """The connection's access token, renewed first when it is about to expire — or when eBay
    just ``refused`` this very token (a 401 before its time). PlatformError when renewing fails."""
    now = timezone.now()
    credentials = connection.credentials()
    if not _expiring(connection, now) and not (refused and credentials.get("access_token") == refused):
        return credentials.get("access_token", "")
    try:
        with transaction.atomic():
            locked = Connection.objects.select_for_update(of=("self",)).get(pk=connection.pk)
            credentials = locked.credentials()
            token = credentials.get("access_token", "")
            if _expiring(locked, now) or (refused and token == refused):  # else another worker renewed it
                token = _renew(locked, credentials, now)
    except PlatformError as exc:
        if not exc.retryable:
            Connection.objects.filter(pk=connection.pk).update(
                status=ConnectionStatus.NEEDS_ATTENTION, status_reason=exc.message[:300]
            )
            connection.status, connection.status_reason = ConnectionStatus.NEEDS_ATTENTION, exc.message[:300]
        raise
    connection.credentials_encrypted = locked.credentials_encrypted
    connection.token_expires_at = locked.token_expires_at
    return token


def _renew(locked: Connection, credentials: dict, now: datetime.datetime) -> str:
    refresh = credentials.get("refresh_token", "")
    lapsed = locked.refresh_token_expires_at is not None and locked.refresh_token_expires_at <= now
    if not refresh or lapsed:
        raise PlatformError(
            "The eBay authorization has expired; reconnect the eBay account.", retryable=False, code="REFRESH_EXPIRED"
        )
    client_id, client_secret = app_keys()
    grant = refreshed_token(
        origin=connection_origins(locked).api,
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh,
        scopes=credentials.get("scopes") or scopes_for(stock_sync=locked.stock_sync),
        now=now,
    )
    credentials["access_token"] = grant.access_token
    locked.set_credentials(credentials)
    locked.token_expires_at = grant.expires_at
    locked.save(update_fields=["credentials_encrypted", "token_expires_at", "updated_at"])
    return grant.access_token
