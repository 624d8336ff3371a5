from rest_framework import serializers

from apps.catalog.models import Product

PRODUCT_FIELDS = [
    "id",
    "sku",
    "upc",
    "name",
    "customs_name",
    "category",
    "declared_value",
    "currency",
    "hs_code",
    "origin_country",
    "length_cm",
    "width_cm",
    "height_cm",
    "weight_g",
    "measured_length_cm",
    "measured_width_cm",
    "measured_height_cm",
    "measured_weight_g",
    "is_active",
    "created_at",
]


class ProductOutput(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = PRODUCT_FIELDS


class ProductInput(serializers.Serializer):
    """Shapes the request only; the product rules run in the service (apps/catalog/rules.py)."""

    sku = serializers.CharField(required=False, allow_blank=True, max_length=200)
    upc = serializers.CharField(required=False, allow_blank=True, max_length=200)
    name = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    customs_name = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    category = serializers.CharField(required=False, allow_blank=True, max_length=1000)
    declared_value = serializers.CharField(required=False, allow_null=True, max_length=40)
    currency = serializers.CharField(required=False, allow_blank=True, max_length=10)
    hs_code = serializers.CharField(required=False, allow_blank=True, max_length=40)
    origin_country = serializers.CharField(required=False, allow_blank=True, max_length=80)
    length_cm = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=40)
    width_cm = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=40)
    height_cm = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=40)
    weight_g = serializers.CharField(required=False, allow_null=True, allow_blank=True, max_length=40)
    is_active = serializers.BooleanField(required=False)
