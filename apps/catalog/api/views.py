import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.catalog.models import Product
from apps.catalog.selectors import product_list, product_search_q
from apps.catalog.services import product_apply_upc, product_create, product_update, products_set_active
from apps.core.api.idempotency import idempotent
from apps.core.tenancy import staff_scope

from .serializers import ProductInput, ProductOutput


class ProductFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="sku", lookup_expr="iexact")
    upc = django_filters.CharFilter(field_name="upc")
    search = django_filters.CharFilter(method="filter_search", label="SKU, name or UPC contains")
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = Product
        fields = ["sku", "upc", "search", "is_active"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(product_search_q(value))


class ProductViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The customer's SKUs. Products are never deleted; set `is_active` false instead."""

    serializer_class = ProductOutput
    filterset_class = ProductFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            with staff_scope():
                return Product.objects.none()
        return product_list(customer=self.request.user.customer)

    @extend_schema(request=ProductInput, responses={201: ProductOutput})
    @idempotent
    def create(self, request):
        data = ProductInput(data=request.data)
        data.is_valid(raise_exception=True)
        product = product_create(actor=request.user, data=data.validated_data)
        return Response(ProductOutput(product).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProductInput, responses=ProductOutput)
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(request=ProductInput, responses=ProductOutput)
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    def _update(self, request, partial):
        product = self.get_object()
        data = ProductInput(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        active = values.pop("is_active", None)
        if values:
            product = product_update(actor=request.user, product=product, data=values)
        if active is not None:
            products_set_active(actor=request.user, products=[product], active=active)
            product.refresh_from_db()
        return Response(ProductOutput(product).data)

    @extend_schema(request=None, responses=ProductOutput)
    @action(detail=True, methods=["post"], url_path="apply-upc")
    def apply_upc(self, request, pk=None):
        """Apply ST-UPC: give the SKU a generated, globally unique UPC-A."""
        product = product_apply_upc(actor=request.user, product=self.get_object())
        return Response(ProductOutput(product).data)
