_VIEW = ["orders.view_order"]
_MANAGE = [*_VIEW, "orders.manage_orders"]

ROLE_PERMISSIONS = {
    "order_group": _MANAGE,
    "admin": _MANAGE,
    "customer_service": _VIEW,
    "warehouse": _VIEW,
    "logistics": _VIEW,
    "finance": _VIEW,
    "sales": _VIEW,
}
