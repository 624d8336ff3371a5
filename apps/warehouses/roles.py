_VIEW = ["warehouses.view_warehouse", "warehouses.view_binlocation"]
_MANAGE = [
    *_VIEW,
    "warehouses.add_warehouse",
    "warehouses.change_warehouse",
    "warehouses.add_binlocation",
    "warehouses.change_binlocation",
]

# Granted by migration 0002; the maps below only add to it (a data migration of their own each,
# because the models they name arrive later).
ROLE_PERMISSIONS = {
    "warehouse": _MANAGE,
    "admin": [*_MANAGE, "warehouses.change_customerwarehouse"],
    "sales": [*_VIEW, "warehouses.change_customerwarehouse"],
    "order_group": _VIEW,
    "logistics": _VIEW,
    "customer_service": _VIEW,
}

# Destination zones (migration 0004): everyone who sees warehouses sees them; logistics keep them.
_VIEW_ZONES = ["warehouses.view_warehousezone"]
_EDIT_ZONES = [*_VIEW_ZONES, "warehouses.add_warehousezone", "warehouses.change_warehousezone"]
ZONE_ROLE_PERMISSIONS = {
    "warehouse": _VIEW_ZONES,
    "admin": _EDIT_ZONES,
    "sales": _VIEW_ZONES,
    "order_group": _VIEW_ZONES,
    "logistics": _EDIT_ZONES,
    "customer_service": _VIEW_ZONES,
}

ALL_ROLE_PERMISSIONS = {
    role: [*ROLE_PERMISSIONS.get(role, []), *ZONE_ROLE_PERMISSIONS.get(role, [])]
    for role in {*ROLE_PERMISSIONS, *ZONE_ROLE_PERMISSIONS}
}
