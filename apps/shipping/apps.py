from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "apps.shipping"
    verbose_name = "Shipping"

    def ready(self):
        from apps.accounts.roles import register_role_permissions

        from .roles import ROLE_PERMISSIONS

        register_role_permissions(self, ROLE_PERMISSIONS)
