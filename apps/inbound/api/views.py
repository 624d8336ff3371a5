from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.catalog.selectors import products_resolve
from apps.core.api.idempotency import idempotent
from apps.core.errors import ValidationFailed, problems_error
from apps.core.tenancy import staff_scope
from apps.inbound.choices import InboundStatus
from apps.inbound.documents import KINDS, inbound_document
from apps.inbound.models import InboundOrder
from apps.inbound.selectors import inbound_detail, inbound_list
from apps.inbound.services import (
    SHIPPING_FIELDS,
    BoxSpec,
    inbound_cancel,
    inbound_create_complete,
    inbound_set_shipping,
    inbound_submit,
)
from apps.warehouses.selectors import warehouses_resolve

from .serializers import InboundCreateInput, InboundListOutput, InboundOutput, ShippingInput


class InboundViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Inbound reservations (ASNs). Create with lines (and boxes), change the shipping
    information until the goods arrive, submit, cancel, download the documents."""

    lookup_field = "number"
    lookup_value_regex = r"IN\d{11}"

    def get_serializer_class(self):
        return InboundListOutput if self.action == "list" else InboundOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            with staff_scope():
                return InboundOrder.objects.none()
        status_filter = self.request.query_params.get("status", "")
        return inbound_list(
            customer=self.request.user.customer, status=status_filter if status_filter in InboundStatus.values else ""
        )

    def _detail(self, inbound) -> Response:
        return Response(InboundOutput(inbound_detail(pk=inbound.pk)).data)

    def retrieve(self, request, number=None):
        return self._detail(self.get_object())

    @extend_schema(request=InboundCreateInput, responses={201: InboundOutput})
    @idempotent
    def create(self, request):
        data = InboundCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        customer = request.user.customer
        skus = [ln["sku"] for ln in v["lines"]] + [i["sku"] for b in v.get("boxes", []) for i in b["items"]]
        products, problems = products_resolve(customer=customer, codes=skus)
        plan, warehouse_problems = warehouses_resolve(customer=customer, codes=[v["warehouse"]])
        if warehouse_problems + problems:
            raise problems_error(warehouse_problems + problems)
        inbound = inbound_create_complete(
            actor=request.user,
            warehouse=plan[v["warehouse"].strip().upper()],
            note=v.get("note", ""),
            method=v["packing_method"],
            submit=v.get("submit", False),
            lines=[(products[ln["sku"].strip().lower()], ln["quantity"]) for ln in v["lines"]],
            boxes=[
                BoxSpec(
                    items=[(products[i["sku"].strip().lower()], i["quantity"]) for i in b["items"]],
                    length_cm=b.get("length_cm"),
                    width_cm=b.get("width_cm"),
                    height_cm=b.get("height_cm"),
                    weight_kg=b.get("weight_kg"),
                )
                for b in v.get("boxes", [])
            ],
            shipping={k: v[k] for k in SHIPPING_FIELDS if k in v},
        )
        response = self._detail(inbound)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(request=ShippingInput, responses=InboundOutput)
    def partial_update(self, request, number=None):
        """Change the shipping information (Draft or Submitted only; 409 after arrival)."""
        inbound = self.get_object()
        data = ShippingInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        inbound_set_shipping(actor=request.user, inbound=inbound, data=dict(data.validated_data))
        return self._detail(inbound)

    @extend_schema(request=None, responses=InboundOutput)
    @action(detail=True, methods=["post"])
    def submit(self, request, number=None):
        inbound = inbound_submit(actor=request.user, inbound=self.get_object())
        return self._detail(inbound)

    @extend_schema(request=None, responses=InboundOutput)
    @action(detail=True, methods=["post"])
    def cancel(self, request, number=None):
        inbound = inbound_cancel(actor=request.user, inbound=self.get_object(), reason="Cancelled through the API")
        return self._detail(inbound)

    @extend_schema(
        parameters=[
            OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(KINDS)),
            OpenApiParameter("format", str, description="box marks: 100x100 or a4-2up"),
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path=r"documents/(?P<kind>[a-z.-]+)")
    def documents(self, request, number=None, kind=None):
        inbound = self.get_object()
        try:
            data, content_type, name = inbound_document(
                inbound=inbound, kind=kind, mark_format=request.query_params.get("format", "100x100")
            )
        except ValueError as exc:
            raise ValidationFailed(str(exc), code="document_unavailable") from exc
        response = HttpResponse(data, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
