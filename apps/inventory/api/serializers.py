from rest_framework import serializers

from apps.inventory.models import StockBalance, StockMove


class InventoryOutput(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    product_id = serializers.IntegerField()
    name = serializers.CharField(source="product.name")
    warehouse = serializers.CharField(source="warehouse.code")
    available = serializers.IntegerField(source="available_qty")
    low_stock_threshold = serializers.IntegerField(source="product.low_stock_threshold", allow_null=True)
    in_transit = serializers.SerializerMethodField(help_text="Units in submitted inbound reservations.")

    class Meta:
        model = StockBalance
        fields = [
            "sku",
            "product_id",
            "name",
            "warehouse",
            "on_hand",
            "allocated",
            "available",
            "damaged",
            "in_transit",
            "low_stock_threshold",
            "updated_at",
        ]

    def get_in_transit(self, balance) -> int:
        return self.context.get("in_transit", {}).get((balance.product_id, balance.warehouse_id), 0)


class MovementOutput(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    warehouse = serializers.CharField(source="warehouse.code")
    bin = serializers.CharField(source="bin.code", allow_null=True, default=None)

    class Meta:
        model = StockMove
        fields = [
            "id",
            "sku",
            "warehouse",
            "bin",
            "kind",
            "quantity",
            "on_hand_delta",
            "allocated_delta",
            "damaged_delta",
            "reference_type",
            "reference_id",
            "reference",
            "reason",
            "created_at",
        ]
