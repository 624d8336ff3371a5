from django.apps import AppConfig


class WarehousesConfig(AppConfig):
    name = "apps.warehouses"
    verbose_name = "Warehouses"

    def ready(self):
        from apps.accounts.roles import register_role_permissions

        from .roles import ALL_ROLE_PERMISSIONS

        register_role_permissions(self, ALL_ROLE_PERMISSIONS)
