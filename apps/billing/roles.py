_VIEW = [
    "billing.view_wallet",
    "billing.view_walletentry",
    "billing.view_topup",
    "billing.view_storagefee",
    "billing.view_miscfeenotice",
]
_FINANCE = [
    *_VIEW,
    "billing.review_topup",
    "billing.adjust_wallet",
    "billing.add_miscfeenotice",
    "billing.change_paymentaccount",
    "billing.add_paymentaccount",
    "billing.view_paymentaccount",
    "billing.change_levelprice",
    "billing.view_levelprice",
]

ROLE_PERMISSIONS = {
    "finance": _FINANCE,
    "admin": _FINANCE,
    "order_group": [*_VIEW, "billing.add_miscfeenotice"],
    "customer_service": _VIEW,
    "sales": [*_VIEW, "billing.view_levelprice"],
}
