"""Orders over the API (DESIGN §10): input and output kept apart. Inputs only parse shapes and
types; the codes are resolved by the order intake and every rule is checked by orders.services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.orders.choices import OrderStatus
from apps.orders.models import Order, OrderEvent
from apps.orders.rules import LABELS, recipient_of

KINDS = ("regular", "kickstarter")


class OrderAbnormalReasonOutput(serializers.Serializer):
    code = serializers.CharField(help_text="machine reason, e.g. INSUFFICIENT_STOCK")
    message = serializers.CharField()


class OrderRecipientSerializer(serializers.Serializer):
    """The recipient by its API names; on input every key is optional (blank means empty)."""

    name = serializers.CharField(required=False, allow_blank=True, help_text=LABELS["name"])
    company = serializers.CharField(required=False, allow_blank=True, help_text=LABELS["company"])
    phone = serializers.CharField(required=False, allow_blank=True, help_text="with the country code")
    email = serializers.CharField(required=False, allow_blank=True, help_text=LABELS["email"])
    address1 = serializers.CharField(required=False, allow_blank=True, help_text=LABELS["address1"])
    address2 = serializers.CharField(required=False, allow_blank=True, help_text=LABELS["address2"])
    city = serializers.CharField(required=False, allow_blank=True, help_text=LABELS["city"])
    state = serializers.CharField(required=False, allow_blank=True, help_text=LABELS["state"])
    postal_code = serializers.CharField(required=False, allow_blank=True, help_text=LABELS["postal_code"])
    country = serializers.CharField(required=False, allow_blank=True, help_text="two-letter code, e.g. US")


class OrderLineSerializer(serializers.Serializer):
    sku = serializers.CharField(max_length=40)
    quantity = serializers.IntegerField(help_text="whole units, 1 to 100,000")


class OrderEventOutput(serializers.ModelSerializer):
    at = serializers.DateTimeField(source="created_at")
    by = serializers.CharField(help_text="the user's e-mail, “Fulfillment Hub staff” or “System”")

    class Meta:
        model = OrderEvent
        fields = ["at", "kind", "from_status", "to_status", "message", "by"]


class OrderListOutput(serializers.ModelSerializer):
    abnormal_reason = serializers.SerializerMethodField()
    recipient = serializers.SerializerMethodField()
    warehouse = serializers.CharField(source="warehouse.code", help_text="warehouse code")
    shipping_channel = serializers.SerializerMethodField(help_text="shipping channel code")
    lines = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "number",
            "external_ref",
            "source",
            "status",
            "abnormal_reason",
            "recipient",
            "warehouse",
            "shipping_channel",
            "lines",
            "estimated_cost",
            "actual_cost",
            "currency",
            "tracking_number",
            "note",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(OrderAbnormalReasonOutput(allow_null=True))
    def get_abnormal_reason(self, order) -> dict | None:
        if order.status != OrderStatus.ABNORMAL:
            return None
        return {"code": order.abnormal_code, "message": order.abnormal_message}

    @extend_schema_field(OrderRecipientSerializer)
    def get_recipient(self, order) -> dict:
        return recipient_of(order)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_shipping_channel(self, order) -> str | None:
        return order.channel.code if order.channel_id else None

    @extend_schema_field(OrderLineSerializer(many=True))
    def get_lines(self, order) -> list[dict]:
        return [{"sku": line.product.sku, "quantity": line.quantity} for line in order.lines.all()]


class OrderOutput(OrderListOutput):
    events = OrderEventOutput(many=True)

    class Meta(OrderListOutput.Meta):
        fields = [*OrderListOutput.Meta.fields, "events"]


class OrderInput(serializers.Serializer):
    """An order by codes. On PATCH every key is optional and an omitted key keeps its value
    (within ``recipient`` too)."""

    external_ref = serializers.CharField(required=False, allow_blank=True, help_text="your order name or id")
    warehouse = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="warehouse code, e.g. LAX1; omit it and one of your warehouses is allocated",
    )
    shipping_channel = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="channel code; omit or null to choose the cheapest at submit",
    )
    recipient = OrderRecipientSerializer()
    lines = OrderLineSerializer(many=True, max_length=1000)
    note = serializers.CharField(required=False, allow_blank=True)


class OrderCreateInput(OrderInput):
    submit = serializers.BooleanField(required=False, default=False, help_text="submit at once")


class OrderCancelInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=400)


class OrderBatchInput(serializers.Serializer):
    file = serializers.FileField(help_text="the regular or Kickstarter order template (.xlsx)")
    kind = serializers.ChoiceField(choices=KINDS, required=False, default="regular")
    warehouse = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="warehouse code for rows that give none (Kickstarter files "
        "always; optional when you have one warehouse)",
    )
    only_valid = serializers.BooleanField(
        required=False, default=False, help_text="import the good rows even when some rows are bad"
    )
    submit = serializers.BooleanField(required=False, default=False, help_text="submit the imported orders")
