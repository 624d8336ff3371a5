_VIEW = ["tracking.view_trackingevent"]
_ADD = [*_VIEW, "tracking.add_trackingevent"]

# Logistics follows parcels to delivery and works the exceptions; customer service records what a
# recipient reports; the order group reads tracking when it handles shipping issues.
ROLE_PERMISSIONS = {
    "logistics": _ADD,
    "customer_service": _ADD,
    "admin": _ADD,
    "order_group": _VIEW,
}
