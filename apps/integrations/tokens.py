"""A connection's access token, renewed before it runs out: the one place that knows tokens
expire. Every client the integration builds (``sync.client_for``) asks here first.

- a pasted token (``AuthMethod.TOKEN``) never expires: returned as stored;
- a client-credentials token (~24 h) is asked for again with the app's client id and secret;
- an OAuth install's expiring offline token (60 min) is refreshed with its refresh token, and the
  new pair replaces the old one (Shopify keeps the previous refresh token usable until the new
  one is used, so a lost answer is recoverable; we still save the pair at once).

Renewal happens when the token expires within ``REFRESH_MARGIN``. The connection row is locked
while renewing, so two workers never both spend one refresh token: the second waits, then sees
the fresh token and uses it. The HTTP call inside the lock is bounded by auth.py's timeouts.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from .choices import AuthMethod
from .models import Connection
from .shopify.auth import TokenGrant, client_credentials_token, refreshed_token, shop_origin
from .shopify.client import ShopifyClient, ShopifyError

REFRESH_MARGIN = datetime.timedelta(minutes=5)


def token_expiring(connection: Connection, *, now: datetime.datetime | None = None) -> bool:
    expires = connection.token_expires_at
    return expires is not None and expires - REFRESH_MARGIN <= (now or timezone.now())


def _renewed(connection: Connection, credentials: dict, now: datetime.datetime) -> TokenGrant:
    origin = shop_origin(connection.shop_domain, connection.api_base or None)
    client_id, client_secret = credentials.get("client_id", ""), credentials.get("client_secret", "")
    if connection.auth_method == AuthMethod.CLIENT_CREDENTIALS:
        return client_credentials_token(origin=origin, client_id=client_id, client_secret=client_secret, now=now)
    if connection.auth_method == AuthMethod.OAUTH:
        refresh = credentials.get("refresh_token", "")
        lapsed = connection.refresh_token_expires_at is not None and connection.refresh_token_expires_at <= now
        if not refresh or lapsed:
            raise ShopifyError(
                "The shop's refresh token has expired; install the app on the shop again.",
                retryable=False,
                code="REFRESH_EXPIRED",
            )
        return refreshed_token(
            origin=origin, client_id=client_id, client_secret=client_secret, refresh_token=refresh, now=now
        )
    raise ShopifyError("The access token has expired; reconnect the shop.", retryable=False, code="TOKEN_EXPIRED")


def connection_token(connection: Connection) -> str:
    """The connection's access token, renewed and saved first when it is about to expire (see the
    module). ShopifyError when renewing fails; ``connection`` carries the new values after."""
    if not token_expiring(connection):
        return connection.credentials().get("access_token", "")
    with transaction.atomic():
        locked = Connection.objects.select_for_update(of=("self",)).get(pk=connection.pk)
        now = timezone.now()
        credentials = locked.credentials()
        if not token_expiring(locked, now=now):  # another worker renewed it while we waited
            token = credentials.get("access_token", "")
        else:
            grant = _renewed(locked, credentials, now)
            credentials["access_token"] = token = grant.access_token
            if grant.refresh_token:
                credentials["refresh_token"] = grant.refresh_token
                locked.refresh_token_expires_at = grant.refresh_token_expires_at
            locked.set_credentials(credentials)
            locked.token_expires_at = grant.expires_at
            locked.save(
                update_fields=["credentials_encrypted", "token_expires_at", "refresh_token_expires_at", "updated_at"]
            )
    connection.credentials_encrypted = locked.credentials_encrypted
    connection.token_expires_at = locked.token_expires_at
    connection.refresh_token_expires_at = locked.refresh_token_expires_at
    return token


def client_for(connection: Connection) -> ShopifyClient:
    """The Shopify connection's client, its token renewed first when it is about to expire."""
    return ShopifyClient(
        shop=connection.shop_domain,
        access_token=connection_token(connection),
        api_base=connection.api_base or None,
    )
