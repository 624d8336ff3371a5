"""The fake WooCommerce's data (``fake_server.FakeWooCommerce`` is made of this and the server):
orders as REST v3 shapes them, their notes, Shipment Tracking items, webhooks, and the answers
of the routes about them. Every answer is (status, headers, JSON); errors are WordPress's
``{"code", "message", "data": {"status"}}``."""

from __future__ import annotations

import bisect
import math
from datetime import UTC, datetime, timedelta

FIRST_NAMES = ("Ada", "Grace", "Linus", "Margaret", "Alan", "Barbara", "Dennis", "Frances")
LAST_NAMES = ("Lovelace", "Hopper", "Torvalds", "Hamilton", "Turing", "Liskov", "Ritchie", "Allen")
CITIES = (
    ("Springfield", "IL", "62701"),
    ("Austin", "TX", "73301"),
    ("Portland", "OR", "97201"),
    ("Columbus", "OH", "43004"),
)
TOPICS = ("order.created", "order.updated", "order.deleted", "order.restored", "product.updated")


def gmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def parse_gmt(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def wp_error(status: int, code: str, message: str) -> tuple[int, dict, dict]:
    return status, {}, {"code": code, "message": message, "data": {"status": status}}


def _int(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class FakeStore:
    """Orders (``self.orders``), notes, trackings and webhooks in memory; mixed into
    FakeWooCommerce, which owns the lock, the ids, the clock and the delivery of webhooks."""

    def store_init(self) -> None:
        self.orders: dict[int, dict] = {}
        self.notes: dict[int, list[dict]] = {}
        self.trackings: dict[int, list[dict]] = {}
        self.webhooks: dict[int, dict] = {}
        self.products: dict[int, dict] = {}
        self.variations: dict[int, dict] = {}
        self.stock_calls: list[list[dict]] = []
        self.clock = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
        self._sorted_version = None

    def tick(self, at: datetime | None = None) -> datetime:
        """The next modification time: a second on (always increasing), or ``at``."""
        self.clock = at or max(self.clock + timedelta(seconds=1), datetime.now(UTC).replace(microsecond=0))
        return self.clock

    # Making and changing orders (the knobs tests and the demo turn).

    def add_order(
        self,
        *,
        sku: str | None = None,
        quantity: int = 1,
        lines: list[dict] | None = None,
        status: str = "processing",
        created_at: datetime | None = None,
        modified_at: datetime | None = None,
        shipping: dict | None = None,
        billing: dict | None = None,
        deliver: bool = True,
    ) -> dict:
        """A realistic order; ``lines`` is [{sku, quantity, name?, product_id?, variation_id?}].
        Webhooks subscribed to order.created get it (``deliver``)."""
        with self.lock:
            number = next(self.ids)
            moment = self.tick(modified_at or created_at)
            created = created_at or moment
            first, last = FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[number % len(LAST_NAMES)]
            city, state, postcode = CITIES[number % len(CITIES)]
            address = {
                "first_name": first,
                "last_name": last,
                "company": "",
                "address_1": f"{100 + number} Main Street",
                "address_2": "",
                "city": city,
                "state": state,
                "postcode": postcode,
                "country": "US",
            }
            wanted = lines if lines is not None else [{"sku": sku if sku is not None else f"SKU-{number % 7}"}]
            if lines is None:
                wanted[0]["quantity"] = quantity
            items = []
            for position, line in enumerate(wanted):
                product_id = line.get("product_id") or 700 + position
                items.append(
                    {
                        "id": number * 100 + position,
                        "name": line.get("name") or f"Product {line.get('sku') or product_id}",
                        "product_id": product_id,
                        "variation_id": line.get("variation_id", 0),
                        "quantity": line.get("quantity", 1),
                        "tax_class": "",
                        "subtotal": "10.00",
                        "total": "10.00",
                        "sku": line.get("sku") or "",
                        "price": 10,
                        "meta_data": [],
                    }
                )
            order = {
                "id": number,
                "parent_id": 0,
                "number": str(number),
                "order_key": f"wc_order_{number:08d}",
                "created_via": "checkout",
                "version": "9.4.0",
                "status": status,
                "currency": "USD",
                "date_created": gmt(created),
                "date_created_gmt": gmt(created),
                "date_modified": gmt(moment),
                "date_modified_gmt": gmt(moment),
                "total": f"{10 * len(items):.2f}",
                "customer_id": 0,
                "customer_note": "",
                "billing": {
                    **address,
                    "email": f"{first.lower()}.{last.lower()}@example.com",
                    "phone": f"+1 415-555-01{number % 100:02d}",
                    **(billing or {}),
                },
                "shipping": {**address, "phone": "", **(shipping or {})},
                "payment_method": "bacs",
                "date_paid_gmt": gmt(created) if status in ("processing", "completed") else None,
                "date_completed_gmt": None,
                "line_items": items,
                "shipping_lines": [],
                "meta_data": [],
            }
            self.orders[number] = order
        if deliver:
            self.deliver("order.created", order)
        return order

    def update_order(self, number: int, *, deliver: bool = True, **changes) -> dict:
        """Change an order's fields (e.g. status="cancelled"), touch date_modified, tell webhooks."""
        with self.lock:
            order = self.orders[number]
            order.update(changes)
            moment = self.tick()
            order["date_modified"] = order["date_modified_gmt"] = gmt(moment)
            if order["status"] == "completed" and not order.get("date_completed_gmt"):
                order["date_completed_gmt"] = gmt(moment)
        if deliver:
            self.deliver("order.updated", order)
        return order

    def delete_order(self, number: int, *, deliver: bool = True) -> None:
        with self.lock:
            self.orders.pop(number, None)
        if deliver:
            self.deliver("order.deleted", {"id": number})

    # GET /orders: filtered on modified, sorted by (date_modified_gmt, id), numbered pages.

    def orders_list(self, query: dict) -> tuple[int, dict, dict | list]:
        per_page = _int(query.get("per_page"), 10)
        page = _int(query.get("page"), 1)
        if not 1 <= per_page <= 100:
            return wp_error(400, "rest_invalid_param", "Invalid parameter(s): per_page")
        if page < 1:
            return wp_error(400, "rest_invalid_param", "Invalid parameter(s): page")
        with self.lock:
            version = (len(self.orders), self.clock)
            if self._sorted_version != version:
                rows = sorted(self.orders.values(), key=lambda o: (o["date_modified_gmt"], o["id"]))
                self._sorted = rows, [(o["date_modified_gmt"], o["id"]) for o in rows]
                self._sorted_version = version
            rows, keys = self._sorted
        start = 0
        if query.get("modified_after"):
            try:  # strictly after, as WP_Date_Query's "after" is
                since = gmt(parse_gmt(query["modified_after"]))
            except ValueError:
                return wp_error(400, "rest_invalid_param", "Invalid parameter(s): modified_after")
            start = bisect.bisect_right(keys, (since, math.inf))
        selected = rows[start:]
        status = query.get("status") or "any"
        if status != "any":
            wanted = set(status.split(","))
            selected = [o for o in selected if o["status"] in wanted]
        if query.get("order") == "desc":
            selected = selected[::-1]
        total = len(selected)
        pages = max(1, math.ceil(total / per_page)) if total else 0
        chunk = selected[(page - 1) * per_page : page * per_page]
        headers = {"X-WP-Total": str(total), "X-WP-TotalPages": str(pages)}
        if page < pages:
            link_query = "&".join(f"{k}={v}" for k, v in {**query, "page": page + 1}.items() if "consumer" not in k)
            headers["Link"] = f'<{self.url}/wp-json/wc/v3/orders?{link_query}>; rel="next"'
        return 200, headers, chunk

    def order_get(self, number: int):
        with self.lock:
            order = self.orders.get(number)
        if order is None:
            return wp_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        return 200, {}, order

    def order_put(self, number: int, body: dict):
        if number not in self.orders:
            return wp_error(404, "woocommerce_rest_shop_order_invalid_id", "Invalid ID.")
        allowed = {"status", "shipping", "billing", "customer_note", "meta_data"}
        changes = {k: v for k, v in (body or {}).items() if k in allowed}
        return 200, {}, self.update_order(number, **changes)

    # Notes.

    def notes_list(self, number: int, query: dict):
        if number not in self.orders:
            return wp_error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        with self.lock:
            notes = list(self.notes.get(number, []))
        if query.get("type") == "customer":
            notes = [n for n in notes if n["customer_note"]]
        return 200, {}, notes[::-1]  # newest first, as WooCommerce lists them

    def note_post(self, number: int, body: dict):
        if number not in self.orders:
            return wp_error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        text = str((body or {}).get("note") or "").strip()
        if not text:
            return wp_error(400, "rest_missing_callback_param", "Missing parameter(s): note")
        with self.lock:
            note = {
                "id": next(self.ids),
                "author": "WooCommerce",
                "date_created_gmt": gmt(datetime.now(UTC)),
                "note": text,
                "customer_note": bool((body or {}).get("customer_note")),
            }
            self.notes.setdefault(number, []).append(note)
        return 201, {}, note

    # Shipment Tracking (the extension, when ``tracking_extension`` is on).

    def trackings_list(self, number: int):
        if not self.tracking_extension:
            return wp_error(404, "rest_no_route", "No route was found matching the URL and request method.")
        if number not in self.orders:
            return wp_error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        with self.lock:
            return 200, {}, list(self.trackings.get(number, []))

    def tracking_post(self, number: int, body: dict):
        if not self.tracking_extension:
            return wp_error(404, "rest_no_route", "No route was found matching the URL and request method.")
        if number not in self.orders:
            return wp_error(404, "woocommerce_rest_order_invalid_id", "Invalid order ID.")
        body = body or {}
        if not str(body.get("tracking_number") or "").strip():
            return wp_error(400, "rest_missing_callback_param", "Missing parameter(s): tracking_number")
        provider = body.get("tracking_provider") or ""
        custom = body.get("custom_tracking_provider") or ""
        link = (body.get("custom_tracking_link") or "").replace("%1$s", body["tracking_number"])
        with self.lock:
            item = {
                "tracking_id": f"{next(self.ids):x}",
                "tracking_provider": provider or custom,
                "tracking_link": link,
                "tracking_number": body["tracking_number"],
                "date_shipped": body.get("date_shipped") or datetime.now(UTC).strftime("%Y-%m-%d"),
            }
            self.trackings.setdefault(number, []).append(item)
        return 201, {}, item

    # Webhooks.

    def webhooks_list(self, query: dict):
        per_page = _int(query.get("per_page"), 10)
        page = _int(query.get("page"), 1)
        with self.lock:
            rows = [self.webhook_view(w) for w in sorted(self.webhooks.values(), key=lambda w: w["id"])]
        if query.get("status") and query["status"] != "all":
            rows = [w for w in rows if w["status"] == query["status"]]
        pages = max(1, math.ceil(len(rows) / per_page))
        return (
            200,
            {"X-WP-Total": str(len(rows)), "X-WP-TotalPages": str(pages)},
            rows[(page - 1) * per_page :][:per_page],
        )

    def webhook_post(self, body: dict, api_secret: str):
        body = body or {}
        if body.get("topic") not in TOPICS:
            return wp_error(400, "rest_invalid_param", "Invalid parameter(s): topic")
        if not str(body.get("delivery_url") or "").startswith(("http://", "https://")):
            return wp_error(400, "rest_invalid_param", "Invalid parameter(s): delivery_url")
        with self.lock:
            webhook = {
                "id": next(self.ids),
                "name": body.get("name") or f"Webhook created on {gmt(datetime.now(UTC))}",
                "status": body.get("status") or "active",
                "topic": body["topic"],
                "resource": body["topic"].split(".")[0],
                "event": body["topic"].split(".")[1],
                "delivery_url": body["delivery_url"],
                "secret": body.get("secret") or api_secret,  # blank: the API user's consumer secret
                "failure_count": 0,
                "date_created_gmt": gmt(datetime.now(UTC)),
            }
            self.webhooks[webhook["id"]] = webhook
        if webhook["status"] == "active":
            self.ping(webhook)
        return 201, {}, self.webhook_view(webhook)

    def webhook_put(self, webhook_id: int, body: dict):
        with self.lock:
            webhook = self.webhooks.get(webhook_id)
            if webhook is None:
                return wp_error(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
            was = webhook["status"]
            for key in ("name", "status", "delivery_url", "secret"):
                if key in (body or {}):
                    webhook[key] = body[key]
            if webhook["status"] == "active" and was != "active":
                webhook["failure_count"] = 0
        if webhook["status"] == "active" and was != "active":
            self.ping(webhook)
        return 200, {}, self.webhook_view(webhook)

    def webhook_delete(self, webhook_id: int):
        with self.lock:
            webhook = self.webhooks.pop(webhook_id, None)
        if webhook is None:
            return wp_error(404, "woocommerce_rest_webhook_invalid_id", "Invalid ID.")
        return 200, {}, self.webhook_view(webhook)

    @staticmethod
    def webhook_view(webhook: dict) -> dict:
        """The webhook as the API shows it (the secret is not shown back)."""
        return {k: v for k, v in webhook.items() if k not in ("secret", "failure_count")} | {
            "hooks": [f"woocommerce_{webhook['event']}_{webhook['resource']}"],
        }

    # Products (stock out): simple and variable products, variations, stock quantities.

    def add_product(self, sku: str, *, variations: list[str] | None = None) -> dict:
        """A simple product with this SKU, or a variable one whose variations carry ``variations``'s SKUs."""
        with self.lock:
            product = {
                "id": next(self.ids),
                "sku": sku,
                "type": "variable" if variations else "simple",
                "manage_stock": False,
                "stock_quantity": None,
                "variations": [],
            }
            self.products[product["id"]] = product
            for child in variations or []:
                variation = {
                    "id": next(self.ids),
                    "parent_id": product["id"],
                    "sku": child,
                    "manage_stock": False,
                    "stock_quantity": None,
                }
                self.variations[variation["id"]] = variation
                product["variations"].append(variation["id"])
            return product

    def products_list(self, query: dict):
        per_page, page = _int(query.get("per_page"), 10), _int(query.get("page"), 1)
        with self.lock:
            rows = sorted(self.products.values(), key=lambda p: p["id"])
        if query.get("include"):
            wanted = {_int(i, 0) for i in query["include"].split(",")}
            rows = [p for p in rows if p["id"] in wanted]
        if query.get("type"):
            rows = [p for p in rows if p["type"] == query["type"]]
        pages = max(1, math.ceil(len(rows) / per_page))
        headers = {"X-WP-Total": str(len(rows)), "X-WP-TotalPages": str(pages)}
        return 200, headers, [dict(p) for p in rows[(page - 1) * per_page : page * per_page]]

    def _stock_batch(self, rows: dict, body: dict) -> tuple[int, dict, dict]:
        updates = (body or {}).get("update") or []
        if len(updates) > 100:
            return wp_error(413, "woocommerce_rest_request_entity_too_large", "Unable to accept more than 100 items.")
        answered = []
        with self.lock:
            for change in updates:
                row = rows.get(_int(change.get("id"), 0))
                if row is None:
                    answered.append(
                        {"id": change.get("id"), "error": {"code": "woocommerce_rest_product_invalid_id",
                                                           "message": "Invalid ID.", "data": {"status": 400}}}
                    )  # fmt: skip
                    continue
                row.update({k: v for k, v in change.items() if k in ("stock_quantity", "manage_stock")})
                answered.append(dict(row))
            self.stock_calls.append([dict(u) for u in updates])
        return 200, {}, {"update": answered}

    def products_batch(self, body: dict):
        return self._stock_batch(self.products, body)

    def variations_batch(self, parent: int, body: dict):
        if parent not in self.products:
            return wp_error(404, "woocommerce_rest_product_invalid_id", "Invalid ID.")
        children = {v: self.variations[v] for v in self.products[parent]["variations"]}
        return self._stock_batch(children, body)

    def stock_of(self, sku: str):
        """The stock quantity the store holds for the product or variation with this SKU."""
        with self.lock:
            for row in [*self.products.values(), *self.variations.values()]:
                if row["sku"] == sku:
                    return row["stock_quantity"]
        raise KeyError(sku)
