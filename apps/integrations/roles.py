_VIEW = ["integrations.view_connection", "integrations.view_platformevent", "integrations.view_syncrun"]
_WORK = [
    *_VIEW,
    "integrations.change_connection",
    "integrations.change_platformevent",
    "integrations.view_orderlink",
    "integrations.change_orderlink",
]

# Customer service and the order group watch every customer's shop connections, replay an event
# that failed once its cause is fixed and pause a connection (change_connection for pause and
# resume, change_platformevent for the replay) and clear the shop orders flagged for review
# (change_orderlink); the admin holds everything.
ROLE_PERMISSIONS = {
    "customer_service": _WORK,
    "order_group": _WORK,
    "admin": _WORK,
}
