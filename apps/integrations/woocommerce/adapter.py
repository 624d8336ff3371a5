"""A WooCommerce connection behind the platform terms (``platforms.Adapter``): the poll's pages of
orders, the webhooks checked (and mended) on every poll, and tracking sent once.

Credentials are ``{"consumer_key", "consumer_secret"}``; ``Connection.options`` holds
``import_statuses`` (default ["processing"]), ``complete_on_ship`` (default True), ``webhook_url``
(where the webhooks deliver, saved on connect) and ``query_auth`` (the host strips the
Authorization header: the keys go as query parameters; learnt by the client, remembered here).

Paging: WooCommerce numbers its pages, and a page number shifts when an order changes while the
poll reads (it moves to the end of ``orderby=modified``): an order could slip between two pages.
So each next page starts again at the newest modification read (``modified_after`` = that second
minus one, page 1), dropping the orders of that last second already read — a keyset over
(date_modified_gmt, id) made of WooCommerce's own parameters. Only a page whose orders all share
one second goes on by page number.
"""

from __future__ import annotations

import datetime
import json

from ..models import Connection, OrderLink
from ..platforms import OrdersPage, PlatformError, Tracking
from ..rules import PlatformOrder
from .client import WooClient
from .orders import CANCEL_STATUSES, FULFILLED_STATUSES, gmt_moment, gmt_text, import_statuses, woo_order
from .webhooks import ORDER_TOPICS

WEBHOOK_NAME = "Fulfillment Hub: {topic}"
SECOND = datetime.timedelta(seconds=1)


def client_of(connection: Connection, **kwargs) -> WooClient:
    credentials = connection.credentials()
    return WooClient(
        store_url=f"https://{connection.shop_domain}",
        consumer_key=credentials.get("consumer_key", ""),
        consumer_secret=credentials.get("consumer_secret", ""),
        api_base=connection.api_base or None,
        query_auth=bool((connection.options or {}).get("query_auth")),
        **kwargs,
    )


def webhooks_ensure(
    client: WooClient, *, delivery_url: str, secret: str, known: list | None = None, wake_paused: bool = True
) -> dict:
    """Make the store's order webhooks to ``delivery_url`` whole: each topic of ORDER_TOPICS has
    one, active. One the seller paused on the store is left paused unless ``wake_paused`` (on
    connect); one WooCommerce disabled after failed deliveries is always set active again.
    Returns {"subscriptions": [{topic, id}], "created", "enabled", "paused": [topics]}."""
    ids = {str(s.get("id")) for s in (known or []) if isinstance(s, dict)}
    ours = [
        w
        for w in client.webhooks()
        if w.get("delivery_url") == delivery_url or (ids and str(w.get("id")) in ids and w.get("topic") in ORDER_TOPICS)
    ]
    subscriptions, created, enabled, paused = [], [], [], []
    for topic in ORDER_TOPICS:
        same = [w for w in ours if w.get("topic") == topic]
        active = next((w for w in same if w.get("status") == "active"), None)
        if active is not None:
            subscriptions.append({"topic": topic, "id": active.get("id")})
            continue
        if same and not wake_paused and all(w.get("status") == "paused" for w in same):
            subscriptions.append({"topic": topic, "id": same[0].get("id")})
            paused.append(topic)
            continue
        if same:  # disabled after failed deliveries (or paused, on connect): on again, with our URL and secret
            webhook = client.webhook_update(
                same[0]["id"], {"status": "active", "delivery_url": delivery_url, "secret": secret}
            )
            enabled.append(topic)
        else:
            webhook = client.webhook_create(
                name=WEBHOOK_NAME.format(topic=topic), topic=topic, delivery_url=delivery_url, secret=secret
            )
            created.append(topic)
        subscriptions.append({"topic": topic, "id": webhook.get("id")})
    return {"subscriptions": subscriptions, "created": created, "enabled": enabled, "paused": paused}


def _cursor(after: str | None) -> tuple[str | None, int, set[str]]:
    if not after:
        return None, 1, set()
    data = json.loads(after)
    return data.get("a"), int(data.get("p") or 1), set(data.get("s") or [])


class WooAdapter:
    def __init__(self, connection: Connection, client: WooClient | None = None) -> None:
        self.connection = connection
        self._client = client
        self._own = client is None

    @property
    def client(self) -> WooClient:
        if self._client is None:
            self._client = client_of(self.connection)
        return self._client

    @property
    def options(self) -> dict:
        return self.connection.options or {}

    # The poll.

    def orders_page(self, since: datetime.datetime, after: str | None) -> OrdersPage:
        since_text, page_number, seen = _cursor(after)
        since_text = since_text or gmt_text(since)
        page = self.client.orders_modified_after(since_text, page=page_number)
        self._remember_auth()
        fresh = [o for o in page.orders if str(o.get("id")) not in seen]
        moments = [m for m in (gmt_moment(o.get("date_modified_gmt")) for o in page.orders) if m]
        newest = max(moments, default=None)
        orders = self._importable([woo_order(o) for o in fresh], {str(o["id"]): o for o in fresh})
        next_after = None
        if page.has_next and page.orders:
            last = gmt_moment(page.orders[-1].get("date_modified_gmt"))
            if last is not None and gmt_text(last - SECOND) > since_text:
                at_last = [str(o["id"]) for o in page.orders if gmt_moment(o.get("date_modified_gmt")) == last]
                next_after = json.dumps({"a": gmt_text(last - SECOND), "p": 1, "s": at_last})
            else:  # the whole page is one second: on by page number, from the same start
                next_after = json.dumps({"a": since_text, "p": page_number + 1, "s": sorted(seen)})
        return OrdersPage(orders=orders, next_after=next_after, newest=newest)

    def _importable(self, orders: list[PlatformOrder], raw: dict[str, dict]) -> list[PlatformOrder]:
        """The page's orders the import should see: those linked here already (their changes and
        cancellations apply), and the others in an import status, completed or cancelled (the
        import refuses those two with their reason). Pending, on-hold, failed… wait until they are
        processing: they are left out without a word, as their webhooks are ignored."""
        if not orders:
            return []
        wanted = import_statuses(self.options) | FULFILLED_STATUSES | CANCEL_STATUSES
        linked = set(
            OrderLink.objects.filter(
                connection=self.connection, platform_order_id__in=[o.order_id for o in orders]
            ).values_list("platform_order_id", flat=True)
        )
        return [o for o in orders if o.order_id in linked or str(raw[o.order_id].get("status") or "").lower() in wanted]

    def poll_checks(self) -> str:
        """The store's order webhooks, mended: one re-enabled where WooCommerce disabled it after
        failed deliveries (it never re-delivers those: this poll fetches them), one made again
        where it was deleted. A sentence for the card when something was mended, else ""."""
        url = self.options.get("webhook_url") or ""
        if not url:
            return (
                ""
                if self.connection.webhook_subscriptions
                else (
                    "No webhooks are set up for this store (it was connected without this site's address): "
                    "orders come in by the poll every 10 minutes."
                )
            )
        try:
            result = webhooks_ensure(
                self.client,
                delivery_url=url,
                secret=self.connection.webhook_secret(),
                known=self.connection.webhook_subscriptions,
                wake_paused=False,
            )
        except PlatformError as exc:
            if not exc.retryable:
                raise
            return f"The store's webhooks could not be checked ({exc.message}); the next poll tries again."
        self._remember_auth()
        if result["subscriptions"] != self.connection.webhook_subscriptions:
            Connection.objects.filter(pk=self.connection.pk).update(webhook_subscriptions=result["subscriptions"])
            self.connection.webhook_subscriptions = result["subscriptions"]
        said = []
        if result["enabled"]:
            many = len(result["enabled"]) > 1
            said.append(
                f"WooCommerce had disabled the {_topics(result['enabled'])} webhook{'s' if many else ''} after failed "
                f"deliveries; {'they are' if many else 'it is'} active again, and this poll fetched the orders "
                f"{'they' if many else 'it'} missed."
            )
        if result["created"]:
            many = len(result["created"]) > 1
            said.append(
                f"The {_topics(result['created'])} webhook{'s were' if many else ' was'} missing on the store; "
                f"made again."
            )
        if result["paused"]:
            many = len(result["paused"]) > 1
            said.append(
                f"The {_topics(result['paused'])} webhook{'s are' if many else ' is'} paused on the store "
                "(WooCommerce › Settings › Advanced › Webhooks); until it is set active there, the poll brings "
                "those changes."
            )
        return " ".join(said)

    # Tracking out.

    def tracking_send(self, link: OrderLink, tracking: Tracking) -> str:
        """The Shipment Tracking extension's entry when the store has it, else a note the customer
        sees; each only when the store does not hold it yet. Then the order completed (the
        Completed e-mail), unless the connection says not to or the store cancelled it."""
        order_id = link.platform_order_id
        carrier = tracking.carrier_name or tracking.carrier_code.upper() or "the carrier"
        existing = self.client.trackings(order_id)
        if existing is not None:
            if any(str(t.get("tracking_number") or "").strip() == tracking.number for t in existing):
                said = f"WooCommerce already shows tracking {tracking.number}"
            else:
                item = {
                    "custom_tracking_provider": carrier,
                    "custom_tracking_link": tracking.url,
                    "tracking_number": tracking.number,
                    "date_shipped": datetime.date.today().isoformat(),
                }
                self.client.tracking_create(order_id, item)
                said = f"Tracking sent to WooCommerce (Shipment Tracking): {carrier} {tracking.number}"
        elif any(tracking.number in str(n.get("note") or "") for n in self.client.notes(order_id)):
            said = f"WooCommerce already has a note with tracking {tracking.number}"
        else:
            self.client.note_create(order_id, note_text(carrier, tracking), customer_note=True)
            said = f"Tracking sent to WooCommerce as a note to the customer: {carrier} {tracking.number}"
        if self.options.get("complete_on_ship", True):
            status = str(self.client.order(order_id).get("status") or "")
            if status not in FULFILLED_STATUSES | CANCEL_STATUSES:
                self.client.order_update(order_id, {"status": "completed"})
                said += "; the order is completed there"
        self._remember_auth()
        return said

    def delivered_send(self, link: OrderLink, tracking: Tracking, delivered_at: datetime.datetime) -> str | None:
        """A note the customer sees that the parcel was delivered, unless the store has one."""
        order_id = link.platform_order_id
        notes = self.client.notes(order_id)
        if any(tracking.number in str(n.get("note") or "") and "delivered" in str(n.get("note") or "").lower()
               for n in notes):  # fmt: skip
            said = f"WooCommerce already has a delivery note for tracking {tracking.number}"
        else:
            carrier = tracking.carrier_name or tracking.carrier_code.upper() or "the carrier"
            text = f"Your parcel was delivered on {delivered_at:%Y-%m-%d} ({carrier} tracking {tracking.number})."
            self.client.note_create(order_id, text, customer_note=True)
            said = f"WooCommerce told the parcel was delivered (a note to the customer): tracking {tracking.number}"
        self._remember_auth()
        return said

    # Housekeeping.

    def _remember_auth(self) -> None:
        """The client fell back to query-string keys: later clients start with them."""
        if self._client is not None and self._client.query_auth and not self.options.get("query_auth"):
            options = {**self.options, "query_auth": True}
            Connection.objects.filter(pk=self.connection.pk).update(options=options)
            self.connection.options = options

    def close(self) -> None:
        if self._own and self._client is not None:
            self._client.close()


def note_text(carrier: str, tracking: Tracking) -> str:
    text = f"Your order has shipped with {carrier}. Tracking number: {tracking.number}."
    if tracking.url:
        text += f" Track it here: {tracking.url}"
    return text


def _topics(topics: list[str]) -> str:
    return ", ".join(topics[:-1]) + " and " + topics[-1] if len(topics) > 1 else topics[0]


def webhooks_delete(connection: Connection) -> tuple[int, int]:
    """Best effort on disconnect: delete the webhooks connecting made. (deleted, left)."""
    ids = [s.get("id") for s in connection.webhook_subscriptions or [] if s.get("id")]
    if not ids:
        return 0, 0
    deleted = 0
    try:
        with client_of(connection, max_attempts=2) as client:
            for webhook_id in ids:
                try:
                    client.webhook_delete(webhook_id)
                    deleted += 1
                except PlatformError:
                    continue
    except PlatformError:
        pass
    return deleted, len(ids) - deleted
