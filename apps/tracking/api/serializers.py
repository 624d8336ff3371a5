from rest_framework import serializers

from apps.orders.choices import OrderStatus

from ..choices import TrackingStatus


class TrackingEventOutput(serializers.Serializer):
    at = serializers.DateTimeField(help_text="When it happened.")
    status = serializers.ChoiceField(choices=TrackingStatus.choices)
    location = serializers.CharField()
    description = serializers.CharField()


class TrackingOutput(serializers.Serializer):
    """One asked-for number: the order's status, carrier, tracking number and events, newest
    first. Never the customer, the recipient or the address (this endpoint is public)."""

    number = serializers.CharField(help_text="The number as asked (upper-cased).")
    found = serializers.BooleanField()
    status = serializers.ChoiceField(
        choices=OrderStatus.choices, allow_null=True, help_text="The order's status; null when not found."
    )
    carrier = serializers.CharField(allow_null=True, help_text="Null until handed to the carrier.")
    tracking_number = serializers.CharField(allow_null=True)
    tracking_url = serializers.URLField(allow_null=True, help_text="The carrier's own tracking page, if it has one.")
    events = TrackingEventOutput(many=True)
