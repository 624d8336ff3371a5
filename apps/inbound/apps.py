from django.apps import AppConfig


class InboundConfig(AppConfig):
    name = "apps.inbound"
    verbose_name = "Inbound"

    def ready(self):
        from apps.accounts.roles import register_role_permissions

        from .roles import ROLE_PERMISSIONS

        register_role_permissions(self, ROLE_PERMISSIONS)
