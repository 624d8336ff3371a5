from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "apps.integrations"
    verbose_name = "Integrations"

    def ready(self):
        from apps.accounts.roles import register_role_permissions

        from .roles import ROLE_PERMISSIONS

        register_role_permissions(self, ROLE_PERMISSIONS)
