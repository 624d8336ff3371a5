from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "apps.fulfillment"
    verbose_name = "Fulfillment (pick, pack, hand over)"

    def ready(self):
        from apps.accounts.roles import register_role_permissions

        from .roles import ROLE_PERMISSIONS

        register_role_permissions(self, ROLE_PERMISSIONS)
