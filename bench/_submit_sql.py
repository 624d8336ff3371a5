"""The reference of the submit benchmark: the writes of one order_submit as the app's own SQL statements,
sent raw in one transaction per order, without the reads, savepoints and Python in between.

Per order: the order row lock (order_lock's SELECT … FOR UPDATE), the allocation statement per line
(inventory's ``_FAST_SQL``), the wallet hold statement (billing's ``_PG_POST``), the status update
(``Order.save()``'s UPDATE of every column) and the status event INSERT. The allocation and hold
statements are imported, not copied; the lock, UPDATE and INSERT are compiled by Django's own compiler
exactly as the ORM compiles them for order_submit, and ``check_texts`` compares each text with what
order_submit really sent. Parameters are built before the clock runs; the timed loop only sends them."""

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.sql import InsertQuery, UpdateQuery
from django.utils import timezone

from apps.billing.services import _PG_POST, wallet_for
from apps.core.actors import actor_label
from apps.inventory.services import _FAST_SQL
from apps.orders.choices import EventKind, OrderStatus
from apps.orders.models import Order, OrderEvent

SUBMIT_FIELDS = (
    "channel_id",
    "estimated_freight",
    "estimated_fee",
    "estimated_cost",
    "estimated_weight_g",
    "held_amount",
    "stock_allocated",
    "submit_count",
)


class Recorder:
    """An execute wrapper that keeps the SQL text of every statement sent."""

    def __init__(self):
        self.texts = []

    def __call__(self, execute, sql, params, many, context):
        self.texts.append(sql)
        return execute(sql, params, many, context)


def _lock(order_pk: int):
    query = Order.objects.select_for_update(of=("self",)).select_related("warehouse", "channel").filter(pk=order_pk)
    query = query.order_by()[:21]  # what QuerySet.get() adds
    with transaction.atomic():  # a FOR UPDATE query compiles only inside a transaction
        return query.query.get_compiler(connection=connection).as_sql()


def _update(order: Order):
    """Order.save()'s UPDATE: every concrete column but the key (auto_now stamps set as pre_save does)."""
    fields = [f for f in Order._meta.local_concrete_fields if not f.primary_key and not f.generated]
    query = UpdateQuery(Order)
    query.add_update_fields([(f, None, f.pre_save(order, False)) for f in fields])
    query.add_q(Q(pk=order.pk))
    return query.get_compiler(connection=connection).as_sql()


def _insert(event: OrderEvent):
    meta = OrderEvent._meta
    fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
    query = InsertQuery(OrderEvent)
    query.insert_values(fields, [event])
    compiler = query.get_compiler(connection=connection)
    compiler.returning_fields = [meta.pk]
    ((sql, params),) = compiler.as_sql()
    return sql, params


def probe_message(probe: Order) -> str:
    return probe.events.filter(to_status=OrderStatus.PENDING_SHIPMENT).values_list("message", flat=True).first() or ""


def plan(order: Order, *, actor, probe: Order, message: str) -> list[tuple[str, object]]:
    """The statements of one submit of ``order`` as order_submit writes them, the amounts taken from
    ``probe`` (an order of the same shape that order_submit itself submitted, its event ``message``)."""
    order = Order.objects.select_related("warehouse", "channel").get(pk=order.pk)
    reference = {"reference_type": "order", "reference_id": order.number, "reference": order.number}
    statements = [_lock(order.pk)]
    for line in sorted(order.lines.all(), key=lambda line: line.product_id):
        statements.append(
            (
                _FAST_SQL,
                {
                    "customer_id": order.customer_id,
                    "product_id": line.product_id,
                    "warehouse_id": order.warehouse_id,
                    "kind": "allocate",
                    "quantity": line.quantity,
                    "on_hand_delta": 0,
                    "allocated_delta": line.quantity,
                    "d_allocated": line.quantity,
                    "damaged_delta": 0,
                    "reason": "",
                    **reference,
                    "actor_id": actor.pk,
                    "now": timezone.now(),
                },
            )
        )
    statements.append(
        (
            _PG_POST,
            {
                "amount": 0,
                "held": probe.held_amount,
                "now": timezone.now(),
                "wallet": wallet_for(order.customer).pk,
                "customer": order.customer_id,
                "kind": "hold",
                **reference,
                "memo": "",
                "actor": actor.pk,
                "key": f"order:{order.pk}:hold:1",
            },
        )
    )
    for name in SUBMIT_FIELDS:
        setattr(order, name, getattr(probe, name))
    order.status, order.submitted_at = OrderStatus.PENDING_SHIPMENT, timezone.now()
    order.abnormal_code = order.abnormal_message = ""
    statements.append(_update(order))
    event = OrderEvent(
        order=order,
        actor=actor,
        actor_label=actor_label(actor),
        kind=EventKind.STATUS,
        message=message,
        from_status=OrderStatus.CONFIRMING,
        to_status=OrderStatus.PENDING_SHIPMENT,
    )
    statements.append(_insert(event))
    return statements


def send(statements) -> None:
    """One order's writes in one transaction (BEGIN … COMMIT), as order_submit's outer atomic block."""
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            if sql is _FAST_SQL or sql is _PG_POST:
                assert cursor.fetchone() is not None, "the reference's guarded update was refused"


def check_texts(statements, app_texts) -> tuple[int, int]:
    """(statements whose SQL text order_submit also sent, statements)."""
    sent = set(app_texts)
    return sum(1 for sql, _params in statements if sql in sent), len(statements)
