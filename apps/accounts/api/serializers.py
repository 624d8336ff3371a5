from rest_framework import serializers

from apps.accounts.models import ApiKey, Customer, User


class CustomerOutput(serializers.ModelSerializer):
    level = serializers.CharField(source="level.code")
    level_name = serializers.CharField(source="level.name")
    service_rep = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = [
            "code",
            "company_name",
            "contact_name",
            "contact_email",
            "contact_phone",
            "level",
            "level_name",
            "status",
            "service_rep",
        ]

    def get_service_rep(self, obj) -> dict | None:
        rep = obj.service_rep
        return {"name": rep.get_full_name(), "email": rep.email} if rep else None


class MeOutput(serializers.ModelSerializer):
    customer = CustomerOutput()
    role = serializers.CharField(source="customer_role")

    class Meta:
        model = User
        fields = ["email", "full_name", "role", "customer"]


class ApiKeyOutput(serializers.ModelSerializer):
    created_by = serializers.EmailField(source="user.email")
    is_active = serializers.BooleanField()

    class Meta:
        model = ApiKey
        fields = ["id", "name", "prefix", "created_by", "created_at", "last_used_at", "revoked_at", "is_active"]
