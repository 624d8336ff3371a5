from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.accounts.api.serializers import CustomerOutput, MeOutput
from apps.warehouses.models import Warehouse


class WarehouseAddressOutput(serializers.ModelSerializer):
    """Where to send inbound shipments."""

    class Meta:
        model = Warehouse
        fields = ["address1", "address2", "city", "state", "postal_code", "country", "phone"]


class WarehouseOutput(serializers.ModelSerializer):
    address = WarehouseAddressOutput(source="*")
    is_default = serializers.BooleanField(
        help_text="The customer's default warehouse: orders without a warehouse ship from it when it has the stock."
    )

    class Meta:
        model = Warehouse
        fields = ["code", "name", "country", "timezone", "address", "is_default"]


class WarehouseRefOutput(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["code", "name", "country"]


class CustomerWithWarehouseOutput(CustomerOutput):
    default_warehouse = serializers.SerializerMethodField()

    class Meta(CustomerOutput.Meta):
        fields = [*CustomerOutput.Meta.fields, "default_warehouse"]

    @extend_schema_field(WarehouseRefOutput(allow_null=True))
    def get_default_warehouse(self, obj) -> dict | None:
        warehouse = self.context.get("default_warehouse")
        return WarehouseRefOutput(warehouse).data if warehouse else None


class MeWithWarehouseOutput(MeOutput):
    customer = CustomerWithWarehouseOutput()
