from rest_framework import serializers

from apps.billing.choices import PaymentMethod
from apps.billing.models import StorageFee, TopUp, Wallet, WalletEntry


class WalletOutput(serializers.ModelSerializer):
    available = serializers.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        model = Wallet
        fields = ["currency", "balance", "held", "available", "updated_at"]


class EntryOutput(serializers.ModelSerializer):
    class Meta:
        model = WalletEntry
        fields = [
            "id",
            "kind",
            "amount",
            "held_delta",
            "balance_after",
            "held_after",
            "reference_type",
            "reference_id",
            "reference",
            "memo",
            "created_at",
        ]


class TopUpOutput(serializers.ModelSerializer):
    class Meta:
        model = TopUp
        fields = [
            "number",
            "method",
            "currency",
            "amount",
            "payer",
            "paid_on",
            "transaction_ref",
            "status",
            "received_amount",
            "exchange_rate",
            "credited_amount",
            "reject_reason",
            "created_at",
            "reviewed_at",
        ]


class TopUpInput(serializers.Serializer):
    method = serializers.ChoiceField(choices=PaymentMethod.choices)
    currency = serializers.CharField(max_length=3)
    amount = serializers.CharField(max_length=20)
    payer = serializers.CharField(max_length=120)
    paid_on = serializers.DateField()
    transaction_ref = serializers.CharField(max_length=120)
    voucher = serializers.FileField(help_text="Image or PDF, at most 10 MB (checked by content).")


class StorageFeeOutput(serializers.ModelSerializer):
    sku = serializers.CharField(source="product.sku")
    warehouse = serializers.CharField(source="warehouse.code")

    class Meta:
        model = StorageFee
        fields = ["day", "warehouse", "sku", "units", "volume_m3", "rate", "amount"]
