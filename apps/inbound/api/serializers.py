from rest_framework import serializers

from apps.inbound.choices import PackingMethod, TransportMode
from apps.inbound.models import DamageGainSlip, InboundBox, InboundEvent, InboundLine, InboundOrder


class LineOutput(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")

    class Meta:
        model = InboundLine
        fields = ["sku", "quantity", "received_good", "received_damaged", "shelved"]


class BoxOutput(serializers.ModelSerializer):
    items = serializers.SerializerMethodField()

    class Meta:
        model = InboundBox
        fields = ["box_no", "length_cm", "width_cm", "height_cm", "weight_kg", "items"]

    def get_items(self, box) -> list[dict]:
        return [{"sku": i.product.sku, "quantity": i.quantity} for i in box.items.all()]


class EventOutput(serializers.ModelSerializer):
    class Meta:
        model = InboundEvent
        fields = ["from_status", "to_status", "note", "created_at"]


class SlipOutput(serializers.ModelSerializer):
    lines = serializers.SerializerMethodField()

    class Meta:
        model = DamageGainSlip
        fields = ["kind", "created_at", "lines"]

    def get_lines(self, slip) -> list[dict]:
        return [
            {
                "sku": ln.product.sku,
                "kind": ln.kind,
                "quantity": ln.quantity,
                "expected": ln.expected,
                "found": ln.found,
                "note": ln.note,
            }
            for ln in slip.lines.all()
        ]


class InboundListOutput(serializers.ModelSerializer):
    warehouse = serializers.CharField(source="warehouse.code")

    class Meta:
        model = InboundOrder
        fields = [
            "number",
            "status",
            "warehouse",
            "packing_method",
            "carrier",
            "tracking_number",
            "transport_mode",
            "ship_date",
            "eta",
            "note",
            "created_at",
            "submitted_at",
            "arrived_at",
            "received_at",
            "completed_at",
        ]


class InboundOutput(InboundListOutput):
    lines = LineOutput(many=True)
    boxes = BoxOutput(many=True)
    events = EventOutput(many=True)
    slips = SlipOutput(many=True)

    class Meta(InboundListOutput.Meta):
        fields = [*InboundListOutput.Meta.fields, "lines", "boxes", "events", "slips"]


class LineInput(serializers.Serializer):
    sku = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)


class BoxItemInput(serializers.Serializer):
    sku = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(min_value=1, max_value=1_000_000)


class BoxInput(serializers.Serializer):
    items = BoxItemInput(many=True)
    length_cm = serializers.DecimalField(max_digits=6, decimal_places=1, required=False, allow_null=True)
    width_cm = serializers.DecimalField(max_digits=6, decimal_places=1, required=False, allow_null=True)
    height_cm = serializers.DecimalField(max_digits=6, decimal_places=1, required=False, allow_null=True)
    weight_kg = serializers.DecimalField(max_digits=7, decimal_places=2, required=False, allow_null=True)


class ShippingInput(serializers.Serializer):
    carrier = serializers.CharField(max_length=80, required=False, allow_blank=True)
    tracking_number = serializers.CharField(max_length=80, required=False, allow_blank=True)
    transport_mode = serializers.ChoiceField(choices=TransportMode.choices, required=False, allow_blank=True)
    ship_date = serializers.DateField(required=False, allow_null=True)
    eta = serializers.DateField(required=False, allow_null=True)


class InboundCreateInput(ShippingInput):
    warehouse = serializers.CharField(max_length=12, help_text="warehouse code")
    lines = LineInput(many=True)
    boxes = BoxInput(many=True, required=False)
    packing_method = serializers.ChoiceField(choices=PackingMethod.choices, required=False, default="mixed")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    submit = serializers.BooleanField(
        required=False, default=False, help_text="submit at once (needs boxes and shipping information)"
    )
