"""Batch order creation (seed guide, "Batch order creation"): the Regular and Kickstarter upload
templates, the whole-file check, the bulk create and the import job.

Every rule is the services' and rules' own: the recipient through ``rules.clean_recipient``, the
lines through ``services.check_lines``, warehouse and shipping method through
``services.check_destination``; this module resolves codes to objects in a handful of queries and
puts each problem on the row and column it came from. ``orders_bulk_create`` is the bulk twin of
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
from django.db.models.functions import Lower
from django.utils import timezone

from apps.billing.services import wallet_for
from apps.catalog.selectors import products_by_sku
from apps.core.errors import ApplicationError, PermissionDenied
from apps.core.task_names import task_send_on_commit
from apps.documents.services import job_create, job_fail, job_finish, job_progress, job_start
from apps.documents.toolkit.xlsx import (
    CellError,
    SpreadsheetError,
    mark_errors,
)
from apps.shipping.models import Channel
from apps.warehouses.selectors import customer_warehouses

from .batch_files import (
    LineIn,
    OrderIn,
    ParsedFile,
    Problem,
    read_order_file,
)
from .choices import EventKind, OrderSource, OrderStatus
from .errors import OrderInvalid
from .models import Order, OrderEvent, OrderLine
from .rules import LABELS, clean_recipient
from .services import check_destination, check_lines, duplicate_ref_error, order_numbers, orders_submit

IMPORT_KIND = "order_import"
KINDS = {"regular": "Regular", "kickstarter": "Kickstarter"}
SYNC_IMPORT_ROWS = 500  # bigger files run as a Celery job with a progress bar
MAX_REPORTED_PROBLEMS = 500
MAX_REPORTED_ABNORMAL = 50
WRITE_BATCH = 5000
SUBMIT_CHUNK = 25
PROGRESS_EVERY = 500
MAX_REF = 100
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
    lines: list  # [(product, quantity)] merged per SKU, as check_lines returns them


@dataclass
class Check:
    valid: list[Draft]
    problems: list[Problem]
    orders: int

    @property
    def bad_rows(self) -> set[tuple[str, int]]:
        return {(p.sheet, p.row) for p in self.problems}


def check_orders(
    *, customer, parsed: ParsedFile, warehouse_code: str = "", progress: Callable[[int, int], None] | None = None
) -> Check:
    """Check every order of a file by the order rules before anything is written. A fixed number
    of queries whatever the size: SKUs, warehouses, channels, references, then one or two per
    distinct warehouse and shipping method."""
    orders = parsed.orders
    problems: set[Problem] = set(parsed.problems)
    skus = {line.sku for order in orders for line in order.lines if line.sku}
    products = products_by_sku(customer=customer, skus=skus) if skus else {}
    plan = {w.code.upper(): w for w in customer_warehouses(customer=customer)}
    methods = {o.shipping_method.lower() for o in orders if o.shipping_method}
    channels = (
        {c.code.lower(): c for c in Channel.objects.annotate(key=Lower("code")).filter(key__in=methods)}
        if methods
        else {}
    )
    refs = [o.ref for o in orders if o.ref and len(o.ref) <= MAX_REF]
    taken = set(Order.objects.filter(customer=customer, external_ref__in=refs).values_list("external_ref", flat=True))
    destinations: dict[tuple, OrderInvalid | None] = {}
    lines_checked: dict[int, tuple | list[str]] = {}
    valid = []
    for index, order in enumerate(orders, start=1):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, len(orders))
        found = list(order.problems)

        def bad(column, message, *, row=order.row, found=found):
            found.append(Problem(row, column, message))

        if order.ref and len(order.ref) > MAX_REF:
            bad(order.ref_column, f"The external reference is longer than {MAX_REF} characters.")
        elif order.ref in taken:
            bad(order.ref_column, duplicate_ref_error(order.ref).message)
        fields, wrong = clean_recipient(order.recipient, complete=True)
        for key, text in wrong.items():
            bad(order.recipient_columns.get(key), f"{LABELS[key]} {text}.")
        warehouse, channel = _destination(order, customer, plan, channels, destinations, warehouse_code, bad)
        lines, line_problems = [], False
        for line in order.lines:
            result = lines_checked.get(id(line))
            if result is None:
                result = lines_checked[id(line)] = _check_line(line, customer, products)
            if isinstance(result, list):
                line_problems = True
                for column, message in result:
                    problems.add(Problem(line.row, column, message, line.sheet))
            else:
                lines.append(result)
        if line_problems and order.reward:
            bad("reward_title", f"The reward “{order.reward}” has problems on the Rewards sheet; fix them there.")
        elif not line_problems and order.lines:
            try:
                lines = check_lines(customer=customer, lines=lines)
            except OrderInvalid as exc:
                bad(order.sku_column, exc.message)
        if found or line_problems:
            problems.update(found)
            continue
        valid.append(
            Draft(
                ref=order.ref,
                rows=order.rows,
                recipient=fields,
                warehouse=warehouse,
                channel=channel,
                note=order.note.strip()[:500],
                lines=lines,
            )
        )
    if progress:
        progress(len(orders), len(orders))
    ordered = sorted(problems, key=lambda p: (p.sheet, p.row, p.column or "", p.message))
    return Check(valid=valid, problems=ordered, orders=len(orders))


def _check_line(line: LineIn, customer, products) -> tuple | list[tuple[str, str]]:
    """(product, quantity) for a good line, else [(column, message)] by services.check_lines."""
    if not line.sku:
        return [("sku", "SKU is required.")]
    product = products.get(line.sku.lower())
    if product is None:
        return [
            ("sku", f"SKU “{line.sku}” is not one of your products; check the spelling or add it under Products first.")
        ]
    try:
        return check_lines(customer=customer, lines=[(product, line.quantity)])[0]
    except OrderInvalid as exc:
        # check_lines looks at the product first, so an active product means the quantity is wrong.
        column = "quantity" if product.is_active else "sku"
        return [(column, message) for message in exc.extra.get("lines", [exc.message])]


def _destination(order: OrderIn, customer, plan: dict, channels: dict, memo: dict, default_code: str, bad):
    code = (order.warehouse or default_code).strip()
    warehouse = channel = None
    if code:
        warehouse = plan.get(code.upper())
        if warehouse is None:
            bad(
                "warehouse",
                f"Warehouse “{code}” is not one of yours. {_no_warehouse_message()} "
                f"(yours: {', '.join(sorted(plan)) or 'none'}).",
            )
    elif len(plan) == 1:
        warehouse = next(iter(plan.values()))
    else:
        bad(
            "warehouse",
            f"Warehouse is required: you have {len(plan)} warehouses "
            f"({', '.join(sorted(plan)) or 'none'}); give the code of the one to ship from.",
        )
    if order.shipping_method:
        channel = channels.get(order.shipping_method.lower())
        if channel is None:
            bad(
                "shipping_method",
                f"There is no shipping method with the code “{order.shipping_method}”; use a "
                "channel code from the shipping quote page.",
            )
    if warehouse is None or (order.shipping_method and channel is None):
        return warehouse, channel
    key = (warehouse.pk, getattr(channel, "pk", None))
    if key not in memo:
        try:
            check_destination(customer=customer, warehouse=warehouse, channel=channel)
            memo[key] = None
        except OrderInvalid as exc:
            memo[key] = exc
    if memo[key] is not None:
        bad("shipping_method" if memo[key].code == "unknown_channel" else "warehouse", memo[key].message)
    return warehouse, channel


def _no_warehouse_message() -> str:
    try:
        check_destination(customer=None, warehouse=None, channel=None)  # refuses before any query
    except OrderInvalid as exc:
        return exc.message
    return ""


# --- Writing -------------------------------------------------------------------------------------


def orders_bulk_create(
    *, actor, customer, drafts: list[Draft], source: str = OrderSource.BATCH, batch_size: int = WRITE_BATCH
) -> list[Order]:
    """The bulk twin of services.order_create for orders check_orders passed: the same Confirming
    orders, lines and timeline events, numbered in one sequence update and inserted in batches,
    in one transaction. A reference taken meanwhile by another order undoes it all."""
    if not drafts:
        return []
    person_id = actor.pk if getattr(actor, "pk", None) else None
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
    """Record an import job for an uploaded Regular or Kickstarter file; files of up to 500 rows
    run now, bigger ones in Celery. SpreadsheetError when the file cannot be read; OrderInvalid
    when the warehouse given is not one of the customer's."""
    customer = getattr(actor, "customer", None)
    if customer is None:
        raise PermissionDenied("Batch order upload is for customer accounts.")
    parsed = read_order_file(data, kind)
    warehouse_code = _import_warehouse(customer, kind, warehouse_code)
    title = f"Order import ({KINDS[kind]}): {name}" + (" (valid orders only)" if only_valid else "")
    job = job_create(
        actor=actor,
        customer=customer,
        kind=IMPORT_KIND,
        input_bytes=data,
        input_name=name,
        total=parsed.rows,
        title=title[:200],
        params={"kind": kind, "only_valid": only_valid, "submit": submit, "warehouse_code": warehouse_code},
    )
    if parsed.rows <= SYNC_IMPORT_ROWS:
        order_import_run(job_id=job.pk, data=data, parsed=parsed)
        job.refresh_from_db()
    else:
        task_send_on_commit("orders.order_import", job.pk, customer_id=customer.pk)
    return job


def _import_warehouse(customer, kind: str, code: str) -> str:
    code = (code or "").strip()
    plan = [w.code for w in customer_warehouses(customer=customer)]
    if code and code.upper() not in {c.upper() for c in plan}:
        raise OrderInvalid(
            f"Warehouse “{code}” is not one of yours. {_no_warehouse_message()}",
            code="unknown_warehouse",
            extra={"warehouse": ["not one of your warehouses"]},
        )
    if kind == "kickstarter" and not code:
        if len(plan) != 1:
            raise OrderInvalid(
                "Choose the warehouse the Kickstarter orders ship from.",
                code="unknown_warehouse",
                extra={"warehouse": ["choose the warehouse the orders ship from"]},
            )
        code = plan[0]
    return code


def order_import_run(*, job_id: int, data: bytes | None = None, parsed: ParsedFile | None = None) -> None:
    """Run an import job once: a second delivery finds it claimed and does nothing, and every
    batch order carries its file's reference, so even a re-run after a lost worker creates
    nothing twice (the references are taken)."""
    job = job_start(job_id=job_id)
    if job is None:
        return
    try:
        with _collector_paused(job.total > SYNC_IMPORT_ROWS):
            if parsed is None:
                with job.input_file.open("rb") as f:
                    data = f.read()
                parsed = read_order_file(data, job.params.get("kind", "regular"))
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
def _collector_paused(pause: bool):
    """Pause Python's cyclic garbage collector while a big file's tens of thousands of rows and
    model instances are built (in a Celery worker): its full passes over the worker's heap cost
    about a sixth of an import. Reference counting still frees everything; only cycles wait."""
    if not pause or not gc.isenabled():
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
