_VIEW = ["shipping.view_carrier", "shipping.view_channel", "shipping.view_ratecard"]
_MANAGE = [
    *_VIEW,
    "shipping.add_carrier",
    "shipping.change_carrier",
    "shipping.add_channel",
    "shipping.change_channel",
    "shipping.add_ratecard",
    "shipping.change_ratecard",
    "shipping.change_levelfreightdiscount",
]

ROLE_PERMISSIONS = {
    "logistics": _MANAGE,
    "admin": [*_MANAGE, "shipping.change_customerchannel"],
    "sales": [*_VIEW, "shipping.change_customerchannel"],
    "order_group": _VIEW,
    "warehouse": _VIEW,
    "customer_service": _VIEW,
    "finance": _VIEW,
}
