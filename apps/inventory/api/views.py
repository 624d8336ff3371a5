from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, pagination, viewsets

from apps.core.tenancy import staff_scope
from apps.inventory.choices import MoveKind
from apps.inventory.in_transit import in_transit_for
from apps.inventory.models import StockBalance, StockMove
from apps.inventory.selectors import balance_queryset, move_list

from .serializers import InventoryOutput, MovementOutput


def _flag(value) -> bool:
    return str(value).lower() in ("1", "true", "yes")


class InventoryViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Stock per SKU and warehouse: on hand, allocated, available (on hand − allocated), damaged."""

    serializer_class = InventoryOutput

    @extend_schema(
        parameters=[
            OpenApiParameter("sku", str, description="exact SKU"),
            OpenApiParameter("warehouse", str, description="warehouse code"),
            OpenApiParameter("sold_out", OpenApiTypes.BOOL, description="only rows with nothing available"),
            OpenApiParameter(
                "low_stock", OpenApiTypes.BOOL, description="only rows at or below the SKU's low-stock level"
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "in_transit": getattr(self, "_in_transit", {})}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._in_transit = in_transit_for(
            customer=self.request.user.customer, product_ids=[b.product_id for b in page or []]
        )
        return page

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            with staff_scope():
                return StockBalance.objects.none()
        p = self.request.query_params
        view = "sold_out" if _flag(p.get("sold_out")) else "low_stock" if _flag(p.get("low_stock")) else "all"
        return balance_queryset(
            customer=self.request.user.customer, sku=p.get("sku", ""), warehouse=p.get("warehouse", ""), view=view
        ).order_by("product__sku", "pk")


class MovementPagination(pagination.CursorPagination):
    ordering = "-id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class MovementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The stock ledger: every receive, damage, gain, allocate, release, ship and adjustment."""

    serializer_class = MovementOutput
    pagination_class = MovementPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("sku", str),
            OpenApiParameter("warehouse", str),
            OpenApiParameter("kind", str, enum=[k.value for k in MoveKind]),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            with staff_scope():
                return StockMove.objects.none()
        p = self.request.query_params
        kind = p.get("kind", "")
        return move_list(
            customer=self.request.user.customer,
            sku=p.get("sku", ""),
            warehouse=p.get("warehouse", ""),
            kind=kind if kind in MoveKind.values else "",
        )
