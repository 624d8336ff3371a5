"""What each back-office role may do with products (added to the groups by a data migration)."""

ROLE_PERMISSIONS = {
    "warehouse": ["catalog.view_product", "catalog.change_measurements"],
    "order_group": ["catalog.view_product"],
    "customer_service": ["catalog.view_product"],
    "logistics": ["catalog.view_product"],
    "admin": ["catalog.view_product", "catalog.change_measurements"],
}
