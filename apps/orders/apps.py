from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "apps.orders"
    verbose_name = "Orders"

    def ready(self):
        from apps.accounts.roles import register_role_permissions

        from .roles import ROLE_PERMISSIONS

        register_role_permissions(self, ROLE_PERMISSIONS)

        # When the cause of an Abnormal order goes away, retry that customer's orders (DESIGN §5).
        # Billing and inventory sit below orders, so they call these listeners after commit.
        from apps.billing.services import on_balance_increased
        from apps.inventory.services import on_stock_increased

        from .tasks import retry_after_balance, retry_after_stock

        on_balance_increased(retry_after_balance)
        on_stock_increased(retry_after_stock)
