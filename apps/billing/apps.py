from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "apps.billing"
    verbose_name = "Billing"

    def ready(self):
        from apps.accounts.roles import register_role_permissions

        from .roles import ROLE_PERMISSIONS

        register_role_permissions(self, ROLE_PERMISSIONS)
