_VIEW = ["warehouses.view_warehouse", "warehouses.view_binlocation"]
_MANAGE = [
    *_VIEW,
    "warehouses.add_warehouse",
    "warehouses.change_warehouse",
    "warehouses.add_binlocation",
    "warehouses.change_binlocation",
]

ROLE_PERMISSIONS = {
    "warehouse": _MANAGE,
    "admin": [*_MANAGE, "warehouses.change_customerwarehouse"],
    "sales": [*_VIEW, "warehouses.change_customerwarehouse"],
    "order_group": _VIEW,
    "logistics": _VIEW,
    "customer_service": _VIEW,
}
