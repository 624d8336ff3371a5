from datetime import date, datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, pagination, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from apps.core.api.idempotency import idempotent
from apps.core.errors import ValidationFailed
from apps.core.identifiers import order_number_problem
from apps.core.tenancy import staff_scope
from apps.documents.api.serializers import JobOutput
from apps.documents.toolkit.uploads import XLSX_MAX_BYTES, format_size
from apps.documents.toolkit.xlsx import SpreadsheetError
from apps.orders.choices import OrderSource, OrderStatus
from apps.orders.intake import OrderCodes, intake_one
from apps.orders.models import Order
from apps.orders.rules import recipient_of
from apps.orders.selectors import OrderFilters, order_detail, order_filter, order_list
from apps.orders.services import order_cancel, order_copy, order_create, order_submit, order_update

from .serializers import OrderBatchInput, OrderCancelInput, OrderCreateInput, OrderInput, OrderListOutput, OrderOutput


class DateOrDateTimeField(forms.Field):
    """An ISO date (``2026-03-01``) or datetime (``2026-03-01T08:00:00Z``); a datetime without an
    offset is read in the platform's time zone."""

    default_error_messages = {
        "invalid": "Enter an ISO date (YYYY-MM-DD) or datetime (YYYY-MM-DDTHH:MM[:SS][±HH:MM or Z]).",
    }

    def to_python(self, value):
        text = (value or "").strip()
        if not text:
            return None
        try:  # a date first: Python reads "2026-03-01" as a datetime too
            day = parse_date(text)
            moment = None if day else parse_datetime(text)
        except ValueError:  # well-formed but impossible, e.g. month 13
            moment = day = None
        if moment:
            return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        if day:
            return day
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


@extend_schema_field(OpenApiTypes.STR)
class DateOrDateTimeFilter(django_filters.Filter):
    field_class = DateOrDateTimeField


class OrderFilterSet(django_filters.FilterSet):
    """The API's names for the order list filters, parsed here and applied by
    orders.selectors.order_filter (the same filters as the portal, staff lists and exports)."""

    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)
    external_ref = django_filters.CharFilter(max_length=100, help_text="exact")
    created_after = DateOrDateTimeFilter(help_text="ISO date (from the start of that day) or datetime (from then)")
    created_before = DateOrDateTimeFilter(help_text="ISO date (through the end of that day) or datetime (before then)")
    updated_since = django_filters.IsoDateTimeFilter(help_text="ISO datetime: changed at or after it")
    warehouse = django_filters.CharFilter(max_length=40, help_text="warehouse code")
    shipping_channel = django_filters.CharFilter(max_length=60, help_text="shipping channel code")
    source = django_filters.ChoiceFilter(choices=OrderSource.choices)
    country = django_filters.CharFilter(min_length=2, max_length=2, help_text="two-letter code of the recipient")
    sku = django_filters.CharFilter(max_length=40, help_text="orders containing this SKU")
    search = django_filters.CharFilter(
        max_length=100,
        help_text="order number, external reference or tracking number (exact), recipient name (contains)",
    )

    class Meta:
        model = Order
        fields = [
            "status",
            "external_ref",
            "created_after",
            "created_before",
            "updated_since",
            "warehouse",
            "shipping_channel",
            "source",
            "country",
            "sku",
            "search",
        ]

    def filter_queryset(self, queryset):
        return order_filter(queryset, self.order_filters(), customer=getattr(self.request.user, "customer", None))

    def order_filters(self) -> OrderFilters:
        v = self.form.cleaned_data
        after, before = v.get("created_after"), v.get("created_before")
        return OrderFilters(
            status=v.get("status") or "",
            external_ref=(v.get("external_ref") or "").strip(),
            created_from=after if _is_day(after) else None,
            created_after=None if _is_day(after) else after,
            created_to=before if _is_day(before) else None,
            created_before=None if _is_day(before) else before,
            updated_since=v.get("updated_since"),
            warehouse=(v.get("warehouse") or "").strip(),
            channel=(v.get("shipping_channel") or "").strip(),
            source=v.get("source") or "",
            country=(v.get("country") or "").strip(),
            sku=(v.get("sku") or "").strip(),
            search=(v.get("search") or "").strip(),
        )


def _is_day(value) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="any unique text up to 120 characters: sent again, the request is answered from the first "
    "time instead of creating twice",
)


class OrderPagination(pagination.CursorPagination):
    """Cursor pages {next, previous, results}, newest first: every page costs the same."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_ordering(self, request, queryset, view):
        """A sync client asking what changed (``updated_since``) reads the changes oldest first, by
        (updated_at, id) — the index that answers it — and resumes from its last cursor. A date
        range reads newest first by (created_at, id), as the portal's list, for the same reason."""
        if request.query_params.get("updated_since"):
            return ("updated_at", "id")
        if request.query_params.get("created_after") or request.query_params.get("created_before"):
            return ("-created_at", "-id")
        return super().get_ordering(request, queryset, view)


class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Outbound orders. Create (and submit at once), edit while Confirming or Abnormal, submit,
    cancel, copy, or upload many in a spreadsheet (batch)."""

    lookup_field = "number"
    lookup_value_regex = r"[^/.]+"  # any text: a malformed number answers 404, not "no such route"
    filterset_class = OrderFilterSet
    pagination_class = OrderPagination

    def get_serializer_class(self):
        return OrderListOutput if self.action == "list" else OrderOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            with staff_scope():
                return Order.objects.none()
        return order_list(customer=self.request.user.customer)

    def get_object(self) -> Order:
        number = self.kwargs[self.lookup_field].strip().upper()
        order = None
        if not order_number_problem(number):
            order = Order.objects.filter(customer=self.request.user.customer, number=number).first()
        if order is None:
            raise exceptions.NotFound(f"You have no order {number[:20]}.")
        return order

    def _detail(self, order, status_code=status.HTTP_200_OK) -> Response:
        return Response(OrderOutput(order_detail(pk=order.pk)).data, status=status_code)

    def retrieve(self, request, number=None):
        return self._detail(self.get_object())

    @extend_schema(request=OrderCreateInput, responses={201: OrderOutput}, parameters=[IDEMPOTENCY_KEY])
    @idempotent
    def create(self, request):
        """Create a Confirming order (source "api"); without a `warehouse` one of yours is allocated
        (the timeline says which and why). With `submit: true` it is submitted at once and comes back
        Pending Shipment, or Abnormal with the reason."""
        data = OrderCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        codes = order_codes(v)
        order = order_create(
            actor=request.user,
            source=OrderSource.API,
            submit=v["submit"],
            data=intake_one(customer=request.user.customer, codes=codes, name=api_name),
        )
        return self._detail(order, status.HTTP_201_CREATED)

    @extend_schema(request=OrderInput, responses=OrderOutput)
    def partial_update(self, request, number=None):
        """Change any of the order's fields while it is Confirming or Abnormal (409 after that);
        omitted keys keep their values. A changed Abnormal order goes back to Confirming."""
        order = self.get_object()
        data = OrderInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        current = order_detail(pk=order.pk)
        codes = order_codes(
            {
                "warehouse": current.warehouse.code,
                "shipping_channel": current.channel.code if current.channel_id else "",
                "lines": [{"sku": line.product.sku, "quantity": line.quantity} for line in current.lines.all()],
                "external_ref": current.external_ref,
                "note": current.note,
                **v,
                "recipient": {**recipient_of(current), **v.get("recipient", {})},
            },
            editing=current.pk,
        )
        order = order_update(
            actor=request.user,
            order=current,
            data=intake_one(customer=current.customer, codes=codes, name=api_name),
        )
        return self._detail(order)

    @extend_schema(request=None, responses=OrderOutput)
    @action(detail=True, methods=["post"])
    def submit(self, request, number=None):
        """Submit: allocate stock, choose or confirm the channel, hold the estimated cost. The order
        comes back Pending Shipment, or Abnormal with `abnormal_reason` saying why."""
        return self._detail(order_submit(actor=request.user, order=self.get_object()))

    @extend_schema(request=OrderCancelInput, responses=OrderOutput)
    @action(detail=True, methods=["post"])
    def cancel(self, request, number=None):
        """Cancel while Confirming, Abnormal, or Pending Shipment until packed; stock and held money
        go back."""
        order = self.get_object()
        data = OrderCancelInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._detail(order_cancel(actor=request.user, order=order, reason=data.validated_data.get("reason", "")))

    @extend_schema(request=None, responses={201: OrderOutput}, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    @idempotent
    def copy(self, request, number=None):
        """A new Confirming order with the same recipient, SKUs, warehouse and shipping method."""
        return self._detail(order_copy(actor=request.user, order=self.get_object()), status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": OrderBatchInput}, responses={202: JobOutput}, parameters=[IDEMPOTENCY_KEY]
    )
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    @idempotent
    def batch(self, request):
        """Upload the regular or Kickstarter order template. The rows are checked and imported in the
        background: poll the job at `/api/v1/jobs/{id}/`. A file with bad rows imports nothing unless
        `only_valid` is true."""
        from apps.orders.imports import order_import_start  # the importer's heavy modules load on first use

        data = OrderBatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        upload = v["file"]
        if upload.size > XLSX_MAX_BYTES:
            limit = format_size(XLSX_MAX_BYTES)
            raise ValidationFailed(
                f"The file is {format_size(upload.size)}; the limit is {limit}.",
                code="file_too_large",
                extra={"file": [f"larger than {limit}"]},
            )
        try:
            job = order_import_start(
                actor=request.user,
                data=upload.read(),
                name=upload.name,
                kind=v["kind"],
                only_valid=v["only_valid"],
                submit=v["submit"],
                warehouse_code=v.get("warehouse", ""),
            )
        except SpreadsheetError as exc:
            raise ValidationFailed(exc.message, code=exc.code, extra={"file": [exc.message]}) from exc
        return Response(JobOutput(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


def order_codes(v: dict, *, editing: int | None = None) -> OrderCodes:
    """The API's JSON keys → the order intake's input (codes only)."""
    return OrderCodes(
        recipient=dict(v.get("recipient") or {}),
        lines=[(line["sku"], line["quantity"]) for line in v.get("lines", [])],
        warehouse=v.get("warehouse") or "",
        channel=v.get("shipping_channel") or "",
        external_ref=v.get("external_ref", ""),
        source=OrderSource.API,
        note=v.get("note", ""),
        editing=editing,
    )


# The intake's field → the API's JSON key (lines by index: lines[1].sku).
API_FIELDS = {"channel": "shipping_channel"}


def api_name(problem) -> str:
    if problem.line is not None:
        return f"lines[{problem.line}].{problem.field}"
    return API_FIELDS.get(problem.field, problem.field)
