_VIEW = ["fulfillment.view_wave", "fulfillment.view_manifest"]
_WORK = [*_VIEW, "fulfillment.work_outbound"]

ROLE_PERMISSIONS = {
    "warehouse": _WORK,
    "admin": _WORK,
    "order_group": _VIEW,
    "logistics": _VIEW,
    "customer_service": _VIEW,
}
