"""Batch order creation (seed guide, "Batch order creation"): the Regular and Kickstarter upload
templates, the whole-file check, the bulk create and the import job.

Every order of a file goes through the order intake (intake.py), which resolves the codes and
checks the rules for all of them at once in a handful of queries; this module only puts each
problem on the row and column it came from. ``orders_bulk_create`` is the bulk twin of
``services.order_create``: the same rows, written with a few INSERTs.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.billing.services import wallet_for
from apps.core.actors import actor_label, actor_person
from apps.core.errors import ApplicationError, PermissionDenied, problems_error
from apps.core.task_names import task_send_on_commit
from apps.documents.services import job_create, job_fail, job_finish, job_progress, job_start
from apps.documents.toolkit.xlsx import (
    CellError,
    SpreadsheetError,
    mark_errors,
)
from apps.warehouses.selectors import warehouses_resolve

from .batch_files import (
    ParsedFile,
    Problem,
    check_order_file,
    read_order_file,
)
from .bulk import orders_submit
from .choices import EventKind, OrderSource, OrderStatus
from .errors import OrderInvalid
from .intake import RECIPIENT_PREFIX, OrderCodes, intake_resolve
from .models import Order, OrderEvent, OrderLine
from .services import allocation_message, order_numbers

IMPORT_KIND = "order_import"
KINDS = {"regular": "Regular", "kickstarter": "Kickstarter"}
MAX_REPORTED_PROBLEMS = 500
MAX_REPORTED_ABNORMAL = 50
WRITE_BATCH = 5000
SUBMIT_CHUNK = 25
PROGRESS_EVERY = 500
# --- The whole-file check ------------------------------------------------------------------------


@dataclass
class Draft:
    """An order that passed every rule, resolved to objects, ready for orders_bulk_create."""

    ref: str
    rows: list[int]
    recipient: dict  # model fields
    warehouse: Any
    channel: Any
    note: str
    lines: list  # [(product, quantity)] merged per SKU, as the intake returns them
    allocated: str = ""  # the allocation's reason when the intake chose the warehouse


@dataclass
class Check:
    valid: list[Draft]
    problems: list[Problem]
    orders: int

    @property
    def bad_rows(self) -> set[tuple[str, int]]:
        return {(p.sheet, p.row) for p in self.problems}


# The intake's field → the file's column (recipient fields by the file's own mapping).
COLUMNS = {"warehouse": "warehouse", "channel": "shipping_method", "source": None}


def check_orders(
    *, customer, parsed: ParsedFile, warehouse_code: str = "", progress: Callable[[int, int], None] | None = None
) -> Check:
    """Check every order of a file by the order rules before anything is written: the order
    intake resolves them all at once (a fixed number of queries whatever the size), and each
    problem goes to the row and column it came from."""
    orders = parsed.orders
    problems: set[Problem] = set(parsed.problems)
    results = intake_resolve(
        customer=customer,
        orders=[
            OrderCodes(
                recipient=order.recipient,
                lines=[(line.sku, line.quantity) for line in order.lines],
                warehouse=order.warehouse or warehouse_code,
                channel=order.shipping_method,
                external_ref=order.ref,
                source=OrderSource.BATCH,
                note=order.note,
                complete_address=True,
            )
            for order in orders
        ],
    )
    valid = []
    rows_done = 0
    for index, (order, result) in enumerate(zip(orders, results, strict=True), start=1):
        rows_done += len(order.rows)
        if progress and index % PROGRESS_EVERY == 0:
            progress(rows_done, parsed.rows)  # in rows, as the job's total
        found = list(order.problems)
        line_problems = False
        for problem in result.problems:
            if problem.line is not None:
                line = order.lines[problem.line]
                problems.add(Problem(line.row, problem.field, problem.message, line.sheet, problem.code))
                line_problems = True
            elif problem.field == "lines":
                if order.lines:  # no lines at all: the parser said why (an unmapped reward)
                    found.append(Problem(order.row, order.sku_column, problem.message, code=problem.code))
            elif problem.field == "external_ref":
                if not any(p.column == order.ref_column for p in order.problems):
                    found.append(Problem(order.row, order.ref_column, problem.message, code=problem.code))
            elif problem.field.startswith(RECIPIENT_PREFIX):
                column = order.recipient_columns.get(problem.field.removeprefix(RECIPIENT_PREFIX))
                found.append(Problem(order.row, column, problem.message, code=problem.code))
            else:
                column = COLUMNS.get(problem.field, problem.field)
                found.append(Problem(order.row, column, problem.message, code=problem.code))
        if line_problems and order.reward:
            found.append(
                Problem(
                    order.row,
                    "reward_title",
                    f"The reward “{order.reward}” has problems on the Rewards sheet; fix them there.",
                )
            )
        if found or line_problems:
            problems.update(found)
            continue
        data = result.data
        valid.append(
            Draft(
                ref=data.external_ref,
                rows=order.rows,
                recipient=result.recipient_fields,
                warehouse=data.warehouse,
                channel=data.channel,
                note=data.note,
                lines=data.lines,
                allocated=data.allocated,
            )
        )
    if progress:
        progress(parsed.rows, parsed.rows)
    ordered = sorted(problems, key=lambda p: (p.sheet, p.row, p.column or "", p.message))
    return Check(valid=valid, problems=ordered, orders=len(orders))


# --- Writing -------------------------------------------------------------------------------------


def orders_bulk_create(
    *, actor, customer, drafts: list[Draft], source: str = OrderSource.BATCH, batch_size: int = WRITE_BATCH
) -> list[Order]:
    """The bulk twin of services.order_create for orders check_orders passed: the same Confirming
    orders, lines and timeline events, numbered in one sequence update and inserted in batches,
    in one transaction. A reference taken meanwhile by another order undoes it all."""
    if not drafts:
        return []
    person = actor_person(actor)
    person_id, label = (person.pk if person else None), actor_label(actor)
    message = f"Order created ({OrderSource(source).label})"
    with transaction.atomic():
        currency = wallet_for(customer).currency
        now = timezone.now()
        orders = _instances(
            Order,
            (
                {
                    "customer_id": customer.pk,
                    "number": number,
                    "source": source,
                    "external_ref": draft.ref,
                    "warehouse_id": draft.warehouse.pk,
                    "channel_id": draft.channel.pk if draft.channel else None,
                    "note": draft.note,
                    "currency": currency,
                    "created_by_id": person_id,
                    "created_at": now,
                    **draft.recipient,
                }
                for number, draft in zip(order_numbers(len(drafts)), drafts, strict=True)
            ),
        )
        try:
            with transaction.atomic():
                Order.objects.bulk_create(orders, batch_size=batch_size)
        except IntegrityError:
            raise OrderInvalid(
                "Some of these order references were used by other orders while the file was being "
                "imported. Nothing was created; upload the file again to see which rows clash.",
                code="duplicate_external_ref",
            ) from None
        OrderLine.objects.bulk_create(
            _instances(
                OrderLine,
                (
                    {"order_id": order.pk, "product_id": product.pk, "quantity": quantity}
                    for order, draft in zip(orders, drafts, strict=True)
                    for product, quantity in draft.lines
                ),
            ),
            batch_size=batch_size * 2,
        )
        OrderEvent.objects.bulk_create(
            _instances(
                OrderEvent,
                (
                    {
                        "order_id": order.pk,
                        "actor_id": person_id,
                        "actor_label": label,
                        "kind": EventKind.STATUS,
                        "to_status": OrderStatus.CONFIRMING,
                        "message": message,
                        "created_at": now,
                    }
                    for order in orders
                ),
            ),
            batch_size=batch_size * 2,
        )
        allocated = [(order, draft) for order, draft in zip(orders, drafts, strict=True) if draft.allocated]
        if allocated:
            OrderEvent.objects.bulk_create(
                _instances(
                    OrderEvent,
                    (
                        {
                            "order_id": order.pk,
                            "actor_id": person_id,
                            "actor_label": label,
                            "kind": EventKind.ACTION,
                            "message": allocation_message(draft.warehouse, draft.allocated),
                            "created_at": now,
                        }
                        for order, draft in allocated
                    ),
                ),
                batch_size=batch_size * 2,
            )
    return orders


def _instances(model, rows) -> list:
    """Instances from dicts of attnames (ids, not objects), the other fields at their defaults,
    built positionally — Django's fast path, as from_db uses — which takes about a third of the
    time of keyword construction for thousands of rows. The rows are the same either way."""
    fields = model._meta.concrete_fields
    defaults = {f.attname: None if f.primary_key else f.get_default() for f in fields}
    names = [f.attname for f in fields]
    return [model(*[values[name] if name in values else defaults[name] for name in names]) for values in rows]


# --- The import job ------------------------------------------------------------------------------


def order_import_start(
    *,
    actor,
    data: bytes,
    name: str,
    kind: str,
    only_valid: bool = False,
    submit: bool = False,
    warehouse_code: str = "",
):
    """Check an uploaded Regular or Kickstarter file as far as its header rows (not its rows),
    store it and queue its import job, which reads it once (order_import_run) while the job's page
    shows the progress; with eager Celery (the laptop default) the job has run when this returns.
    SpreadsheetError when the file is refused; OrderInvalid when the warehouse given is not one of
    the customer's. Nothing is stored or queued when either is raised."""
    customer = getattr(actor, "customer", None)
    if customer is None:
        raise PermissionDenied("Batch order upload is for customer accounts.")
    rows = check_order_file(data, kind)
    warehouse_code = _import_warehouse(customer, kind, warehouse_code)
    title = f"Order import ({KINDS[kind]}): {name}" + (" (valid orders only)" if only_valid else "")
    job = job_create(
        actor=actor,
        customer=customer,
        kind=IMPORT_KIND,
        input_bytes=data,
        input_name=name,
        total=rows or 0,
        title=title[:200],
        params={"kind": kind, "only_valid": only_valid, "submit": submit, "warehouse_code": warehouse_code},
    )
    task_send_on_commit("orders.order_import", job.pk, customer_id=customer.pk)
    job.refresh_from_db()  # finished already when the task ran eagerly
    return job


def _import_warehouse(customer, kind: str, code: str) -> str:
    """The upload's warehouse code for rows that name none, checked in the resolver's words;
    empty: the intake allocates a warehouse per order."""
    code = (code or "").strip()
    if code:
        _plan, problems = warehouses_resolve(customer=customer, codes=[code])
        if problems:
            raise problems_error(problems, OrderInvalid)
    return code


def order_import_run(*, job_id: int) -> None:
    """Run an import job once: read the stored file (the only time its rows are read), check,
    create, and submit when asked. A second delivery finds it claimed and does nothing, and every
    batch order carries its file's reference, so even a re-run after a lost worker creates nothing
    twice (the references are taken)."""
    job = job_start(job_id=job_id)
    if job is None:
        return
    try:
        with _collector_paused():
            with job.input_file.open("rb") as f:
                data = f.read()
            parsed = read_order_file(data, job.params.get("kind", "regular"))
            job.total = parsed.rows  # the upload request only had the rows the file declares
            job_progress(job_id=job.pk, done=0, total=parsed.rows)
            to_submit = _import(job, data, parsed)
        if to_submit is not None:
            _submit(job, *to_submit)
    except (SpreadsheetError, ApplicationError) as exc:
        job_fail(job_id=job.pk, message=exc.message)
    except Exception:
        job_fail(
            job_id=job.pk,
            message="The import failed unexpectedly and no order was created. "
            "We have been notified; please try again later.",
        )
        raise


@contextmanager
def _collector_paused():
    """Pause Python's cyclic garbage collector while a file's rows and model instances are built
    (tens of thousands for a big file): its full passes over the worker's heap cost about a sixth
    of an import. Reference counting still frees everything; only cycles wait."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def import_orders(
    *,
    actor,
    customer,
    parsed: ParsedFile,
    warehouse_code: str = "",
    only_valid: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Check, list[Order]]:
    """Check the whole file, then create its orders: all of them, none while any row is bad, or
    only the good ones when the user chose so. (check, created orders)."""
    with transaction.atomic():
        check = check_orders(customer=customer, parsed=parsed, warehouse_code=warehouse_code, progress=progress)
        if not check.valid or (check.problems and not only_valid):
            return check, []
        return check, orders_bulk_create(actor=actor, customer=customer, drafts=check.valid)


def _progress(job):
    return lambda done, total: job_progress(job_id=job.pk, done=done, total=total)


def _import(job, data: bytes, parsed: ParsedFile):
    """Check and create; finish the job, or return what _submit needs when the user asked to
    submit the created orders at once."""
    params = job.params
    only_valid, submit = bool(params.get("only_valid")), bool(params.get("submit"))
    with transaction.atomic():  # the orders and the job's outcome together
        check, created = import_orders(
            actor=job.created_by,
            customer=job.customer,
            parsed=parsed,
            warehouse_code=params.get("warehouse_code", ""),
            only_valid=only_valid,
            progress=_progress(job),
        )
        result = {
            "kind": parsed.kind,
            "rows": parsed.rows,
            "orders": check.orders,
            "valid": len(check.valid),
            "created": len(created),
            "skipped": check.orders - len(check.valid),
            "bad_rows": len(check.bad_rows),
            "problem_count": len(check.problems),
            "problems": [[p.row, _column_header(parsed, p), p.message] for p in check.problems[:MAX_REPORTED_PROBLEMS]],
            "problem_codes": [p.code for p in check.problems[:MAX_REPORTED_PROBLEMS]],
        }
        marked, marked_name = None, ""
        if check.problems:
            marked = _marked(data, parsed, check.problems)
            marked_name = f"{PurePath(job.input_name or 'orders').stem}-errors.xlsx"
        if submit and created:
            return created, result, marked, marked_name
        job_finish(
            job=job, message=_message(result, only_valid), result=result, result_bytes=marked, result_name=marked_name
        )
    return None


def _submit(job, created: list[Order], result: dict, marked: bytes | None, marked_name: str) -> None:
    """Submit Shipment for the orders just created (committed): each order_submit is its own
    transaction and ends Pending Shipment or Abnormal with its reason."""
    progress = _progress(job)
    pending, abnormal = [], []
    for start in range(0, len(created), SUBMIT_CHUNK):
        outcome = orders_submit(actor=job.created_by, orders=created[start : start + SUBMIT_CHUNK])
        pending += outcome.done
        abnormal += outcome.failed
        progress(min(start + SUBMIT_CHUNK, len(created)), len(created))
    result.update(
        pending=len(pending),
        abnormal=len(abnormal),
        abnormal_orders=[[o.number, m] for o, m in abnormal[:MAX_REPORTED_ABNORMAL]],
    )
    job_finish(
        job=job,
        message=_message(result, bool(job.params.get("only_valid"))),
        result=result,
        result_bytes=marked,
        result_name=marked_name,
    )


def _column_header(parsed: ParsedFile, problem: Problem) -> str:
    if problem.sheet:
        return f"{problem.sheet} › {parsed.rewards.header_for(problem.column)}"
    return parsed.table.header_for(problem.column)


def _marked(data: bytes, parsed: ParsedFile, problems: list[Problem]) -> bytes:
    main = [CellError(p.row, p.column, p.message) for p in problems if not p.sheet]
    other = [CellError(p.row, p.column, p.message) for p in problems if p.sheet]
    if main or not other:
        data = mark_errors(data, main, table=parsed.table)
    if other:
        data = mark_errors(data, other, table=parsed.rewards)
    return data


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _message(result: dict, only_valid: bool) -> str:
    submitted = ""
    if "pending" in result:
        submitted = (
            f" Submitted them: {result['pending']:,} went to Pending Shipment, {result['abnormal']:,} "
            f"{'is' if result['abnormal'] == 1 else 'are'} Abnormal."
        )
    if not result["problem_count"]:
        return f"Created all {_plural(result['created'], 'order')} ({_plural(result['rows'], 'row')}).{submitted}"
    bad = _plural(result["bad_rows"], "row")
    if only_valid:
        return (
            f"Created the {_plural(result['created'], 'valid order')}; skipped "
            f"{_plural(result['skipped'], 'order')} with problems in {bad} (download your file with the errors "
            f"marked to fix them).{submitted}"
        )
    verb = "has" if result["bad_rows"] == 1 else "have"
    return (
        f"Nothing was created: {bad} of {result['rows']:,} {verb} problems. Fix them and upload the file again, "
        f"or create only the {_plural(result['valid'], 'valid order')}."
    )
