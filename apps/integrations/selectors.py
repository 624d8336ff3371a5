from __future__ import annotations

from apps.core.tenancy import staff_scope

from .models import Connection


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
