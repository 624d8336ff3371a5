"""Back-office roles and the permissions each one holds.

Each role is a Django group of the same name. Data migrations call ``sync_role_permissions`` with
the historical app registry; later apps add their own permissions to roles the same way, in their
own data migrations, so this map only grows and a role never silently loses a permission.
"""

from __future__ import annotations

from .choices import StaffRole

DESKS = {
    "sales": "accounts.view_sales_desk",
    "service": "accounts.view_service_desk",
    "orders": "accounts.view_order_desk",
    "warehouse": "accounts.view_warehouse_desk",
    "logistics": "accounts.view_logistics_desk",
    "finance": "accounts.view_finance_desk",
}

_VIEW_CUSTOMERS = ["accounts.view_customer", "accounts.view_customerlevel"]
_MANAGE_CUSTOMERS = [*_VIEW_CUSTOMERS, "accounts.add_customer", "accounts.change_customer"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    StaffRole.SALES: [DESKS["sales"], *_MANAGE_CUSTOMERS],
    StaffRole.CUSTOMER_SERVICE: [DESKS["service"], *_VIEW_CUSTOMERS],
    StaffRole.ORDER_GROUP: [DESKS["orders"], *_VIEW_CUSTOMERS],
    StaffRole.WAREHOUSE: [DESKS["warehouse"]],
    StaffRole.LOGISTICS: [DESKS["logistics"]],
    StaffRole.FINANCE: [DESKS["finance"], *_VIEW_CUSTOMERS],
    StaffRole.ADMIN: [
        *DESKS.values(),
        *_MANAGE_CUSTOMERS,
        "accounts.suspend_customer",
        "accounts.add_customerlevel",
        "accounts.change_customerlevel",
    ],
}


def sync_role_permissions(apps, role_permissions: dict[str, list[str]]) -> None:
    """Create the role groups and grant them the listed permissions (never revokes).

    Works with the historical registry of a data migration; creates any missing permission rows
    first, because Django only adds them after ``migrate`` finishes.
    """
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perm_names in role_permissions.items():
        group, _ = Group.objects.get_or_create(name=str(role))
        for name in perm_names:
            app_label, codename = name.split(".", 1)
            try:
                perm = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            except Permission.DoesNotExist as exc:
                raise LookupError(f"Role {role}: permission {name} does not exist") from exc
            group.permissions.add(perm)
