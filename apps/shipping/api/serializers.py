from rest_framework import serializers

from apps.shipping.models import Channel


class ChannelOutput(serializers.ModelSerializer):
    carrier = serializers.CharField(source="carrier.name")
    warehouse = serializers.CharField(source="warehouse.code")

    class Meta:
        model = Channel
        fields = [
            "code",
            "name",
            "carrier",
            "warehouse",
            "service_level",
            "transit_days_min",
            "transit_days_max",
            "volumetric_divisor",
            "max_weight_g",
            "max_length_cm",
            "max_girth_cm",
        ]


class ParcelInput(serializers.Serializer):
    weight_g = serializers.DecimalField(max_digits=10, decimal_places=1)
    length_cm = serializers.DecimalField(max_digits=6, decimal_places=1, required=False, allow_null=True)
    width_cm = serializers.DecimalField(max_digits=6, decimal_places=1, required=False, allow_null=True)
    height_cm = serializers.DecimalField(max_digits=6, decimal_places=1, required=False, allow_null=True)


class QuoteLineInput(serializers.Serializer):
    sku = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(min_value=1, max_value=100_000)


class QuoteInput(serializers.Serializer):
    warehouse = serializers.CharField(max_length=12, help_text="warehouse code")
    country = serializers.CharField(max_length=60)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    parcel = ParcelInput(required=False)
    lines = QuoteLineInput(many=True, required=False)
    sort = serializers.ChoiceField(choices=["price", "speed"], default="price")

    def validate(self, data):
        if bool(data.get("parcel")) == bool(data.get("lines")):
            raise serializers.ValidationError("Give either a parcel (weight and dimensions) or order lines.")
        return data


class QuoteOptionOutput(serializers.Serializer):
    channel = serializers.CharField(source="channel_code")
    name = serializers.CharField(source="channel_name")
    carrier = serializers.CharField()
    service_level = serializers.CharField()
    transit_days_min = serializers.IntegerField()
    transit_days_max = serializers.IntegerField()
    transit_source = serializers.ChoiceField(
        choices=["measured", "channel"],
        help_text="measured: the p50–p90 days of this channel's delivered parcels to this country (from 20 "
        "deliveries, rounded up to whole days); channel: the channel's configured transit days.",
    )
    transit_deliveries = serializers.IntegerField(
        allow_null=True, help_text="How many deliveries the measured days come from; null for the channel's days."
    )
    actual_weight_g = serializers.IntegerField()
    volumetric_weight_g = serializers.IntegerField()
    chargeable_weight_g = serializers.IntegerField()
    currency = serializers.CharField()
    base = serializers.DecimalField(max_digits=10, decimal_places=2)
    fuel = serializers.DecimalField(max_digits=10, decimal_places=2)
    remote = serializers.DecimalField(max_digits=10, decimal_places=2)
    parcel_fee = serializers.DecimalField(max_digits=10, decimal_places=2)
    discount = serializers.DecimalField(max_digits=10, decimal_places=2)
    total = serializers.DecimalField(max_digits=10, decimal_places=2)


class IneligibleOutput(serializers.Serializer):
    channel = serializers.CharField(source="channel_code")
    name = serializers.CharField(source="channel_name")
    code = serializers.CharField()
    reason = serializers.CharField()


class QuoteOutput(serializers.Serializer):
    country = serializers.CharField()
    postal_code = serializers.CharField()
    options = QuoteOptionOutput(many=True)
    ineligible = IneligibleOutput(many=True)
