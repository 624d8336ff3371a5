from django.db import models


class CustomerStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


CUSTOMER_STATUS_BADGES = {CustomerStatus.ACTIVE: "success", CustomerStatus.SUSPENDED: "secondary"}


class CustomerRole(models.TextChoices):
    OWNER = "owner", "Owner"
    MEMBER = "member", "Member"


class StaffRole(models.TextChoices):
    """The back-office roles; each is a Django group of the same name (see roles.py)."""

    SALES = "sales", "Sales"
    CUSTOMER_SERVICE = "customer_service", "Customer service"
    ORDER_GROUP = "order_group", "Order group (OMS)"
    WAREHOUSE = "warehouse", "Warehouse"
    LOGISTICS = "logistics", "Logistics (TMS)"
    FINANCE = "finance", "Finance (FMS)"
    ADMIN = "admin", "Admin"
