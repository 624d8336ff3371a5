_VIEW = ["inbound.view_inboundorder", "inbound.view_damagegainslip"]
_WORK = [*_VIEW, "inbound.receive_inbound"]

ROLE_PERMISSIONS = {
    "warehouse": _WORK,
    "admin": _WORK,
    "order_group": _VIEW,
    "customer_service": _VIEW,
    "logistics": _VIEW,
}
