_VIEW = ["inventory.view_stockbalance", "inventory.view_stockmove"]
_ADJUST = [
    *_VIEW,
    "inventory.adjust_stock",
    "inventory.view_cyclecount",
    "inventory.add_cyclecount",
    "inventory.change_cyclecount",
]

ROLE_PERMISSIONS = {
    "warehouse": _ADJUST,
    "order_group": [*_VIEW, "inventory.adjust_stock"],
    "customer_service": _VIEW,
    "logistics": _VIEW,
    "finance": _VIEW,
    "admin": _ADJUST,
}
