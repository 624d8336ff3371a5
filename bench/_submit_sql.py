"""The reference of the submit benchmark: the statements a submit locks and writes with, recorded from the app
itself and sent raw.

For each order of the reference set, ``order_submit`` runs once inside a transaction that is rolled back, with an
execute wrapper recording every statement it sends (text and parameters). Kept are those that lock or write —
``SELECT … FOR UPDATE`` (the order, the stock balances), the allocation and hold statements (``WITH …``), the
``UPDATE`` of the order and the ``INSERT`` of its event; left out are the plain reads (its lines, the plan, the price
list) and BEGIN/COMMIT. The timed loop sends the kept statements as recorded, one transaction per order: the same
rows, the same SQL text and parameters, without the reads and the Python in between."""

from django.db import connection, transaction

from apps.orders.services import order_submit


class Recorder:
    """An execute wrapper that keeps the SQL text (and parameters) of every statement sent."""

    def __init__(self):
        self.texts, self.statements = [], []

    def __call__(self, execute, sql, params, many, context):
        self.texts.append(sql)
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


class _RollBack(Exception):
    pass


def locks_or_writes(sql: str) -> bool:
    head = sql.lstrip().split(None, 1)[0].upper()
    return head in ("UPDATE", "INSERT", "WITH") or (head == "SELECT" and "FOR UPDATE" in sql)


def record(order, *, actor) -> list[tuple[str, object]]:
    """The statements that submit ``order`` lock and write with, recorded from order_submit and rolled back."""
    recorder = Recorder()
    try:
        with transaction.atomic():
            with connection.execute_wrapper(recorder):
                done = order_submit(actor=actor, order=order)
            assert done.status == "pending_shipment", done.abnormal_message
            raise _RollBack
    except _RollBack:
        pass
    return [(sql, params) for sql, params in recorder.statements if locks_or_writes(sql)]


def send(statements) -> None:
    """One order's statements in one transaction (BEGIN … COMMIT), as order_submit's outer atomic block."""
    with transaction.atomic(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            if sql.lstrip().startswith("WITH"):
                assert cursor.fetchall(), "the reference's guarded write was refused"
