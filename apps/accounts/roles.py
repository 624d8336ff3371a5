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
    first, because Django only adds them after ``migrate`` finishes. Runs after every migrate and
    test flush, once per app that has roles, so it reads what it needs in a few queries and only
    creates permissions when one is missing.
    """
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {name for names in role_permissions.values() for name in names}
    perms = _permissions(Permission, wanted)
    if not wanted <= perms.keys():
        from django.contrib.auth.management import create_permissions

        for app_config in apps.get_app_configs():
            original = getattr(app_config, "models_module", None)
            app_config.models_module = original or True  # historical app configs have none
            try:
                create_permissions(app_config, verbosity=0, apps=apps)
            finally:
                app_config.models_module = original
        perms = _permissions(Permission, wanted)
    for role, perm_names in role_permissions.items():
        missing = [name for name in perm_names if name not in perms]
        if missing:
            raise LookupError(f"Role {role}: permission {missing[0]} does not exist")
        group, _ = Group.objects.get_or_create(name=str(role))
        group.permissions.add(*(perms[name] for name in perm_names))


def _permissions(Permission, names) -> dict:  # noqa: N803 - a model class, historical or not
    """The permission rows of "app_label.codename" names, by name (one query)."""
    codenames = {name.split(".", 1)[1] for name in names}
    rows = Permission.objects.filter(codename__in=codenames).select_related("content_type")
    return {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in rows
        if f"{p.content_type.app_label}.{p.codename}" in names
    }


CUSTOMER_LEVELS = [
    ("standard", "Standard", 0, "List prices."),
    ("silver", "Silver", 10, "Volume discount on fulfilment and freight."),
    ("gold", "Gold", 20, "Larger discounts and priority handling."),
    ("vip", "VIP", 30, "Negotiated prices and a dedicated team."),
]


def ensure_customer_levels(apps) -> None:
    CustomerLevel = apps.get_model("accounts", "CustomerLevel")
    for code, name, rank, description in CUSTOMER_LEVELS:
        CustomerLevel.objects.get_or_create(
            code=code, defaults={"name": name, "rank": rank, "description": description}
        )


def register_role_permissions(app_config, role_permissions: dict[str, list[str]]) -> None:
    """An app's roles map, re-ensured after every migrate (and test flush) of that app."""
    from django.db.models.signals import post_migrate

    def ensure(sender=None, apps=None, **kwargs):
        from django.apps import apps as global_apps

        sync_role_permissions(apps or global_apps, role_permissions)

    post_migrate.connect(ensure, sender=app_config, weak=False, dispatch_uid=f"roles-{app_config.label}")


def ensure_reference_data(sender=None, apps=None, **kwargs) -> None:
    """post_migrate: roles and levels exist after every migrate and after a test flush too."""
    from django.apps import apps as global_apps

    registry = apps or global_apps
    sync_role_permissions(registry, ROLE_PERMISSIONS)
    ensure_customer_levels(registry)
