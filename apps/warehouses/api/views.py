from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from apps.accounts.api.views import MeView
from apps.accounts.selectors import user_with_customer
from apps.warehouses.models import Warehouse
from apps.warehouses.selectors import customer_default_warehouse, customer_warehouse_list

from .serializers import MeWithWarehouseOutput, WarehouseOutput


class WarehouseViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The warehouses this customer may use (its logistics plan), with the address to ship inbound
    stock to and which one is its default."""

    serializer_class = WarehouseOutput
    queryset = Warehouse.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Warehouse.objects.none()
        return customer_warehouse_list(customer=self.request.user.customer)


class MeWithWarehouseView(MeView):
    """The signed-in user and their customer account, with the customer's default warehouse.

    accounts serves the user and customer but sits below warehouses, so it cannot name the
    warehouse; this view, one layer up, composes the two and serves ``me/``."""

    @extend_schema(responses=MeWithWarehouseOutput)
    def get(self, request):
        user = user_with_customer(user_id=request.user.pk)
        default = customer_default_warehouse(customer=user.customer)
        return Response(MeWithWarehouseOutput(user, context={"default_warehouse": default}).data)
