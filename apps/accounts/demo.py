"""Demo data for accounts: two customers and one staff user per role (idempotent)."""

from apps.accounts.choices import CustomerRole, StaffRole
from apps.accounts.models import Customer, CustomerLevel, User
from apps.accounts.services import customer_create, customer_user_create, staff_user_create

STAFF = [
    (StaffRole.SALES, "Sam Sales"),
    (StaffRole.CUSTOMER_SERVICE, "Cora Service"),
    (StaffRole.ORDER_GROUP, "Olga Orders"),
    (StaffRole.WAREHOUSE, "Walt Warehouse"),
    (StaffRole.LOGISTICS, "Lou Logistics"),
    (StaffRole.FINANCE, "Fay Finance"),
    (StaffRole.ADMIN, "Ada Admin"),
]

CUSTOMERS = [
    # code, company, contact, user e-mail, level
    ("C10001", "ACME Trading Co.", "Alice Anders", "alice@acme.example", "gold"),
    ("C10002", "Globex Corporation", "Bob Barker", "bob@globex.example", "standard"),
]


def seed_staff(password: str) -> dict:
    staff = {}
    for role, name in STAFF:
        email = f"{role}@hub.example"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = staff_user_create(email=email, password=password, full_name=name, roles=[role])
        if role == StaffRole.ADMIN and not user.is_superuser:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        staff[role] = user
    return staff


def seed_customers(password: str, staff: dict) -> list[User]:
    owners = []
    for code, company, contact, email, level in CUSTOMERS:
        customer = Customer.objects.filter(code=code).first()
        if customer is None:
            customer = customer_create(
                actor=None,
                code=code,
                company_name=company,
                contact_name=contact,
                contact_email=email,
                level=CustomerLevel.objects.get(code=level),
                service_rep=staff[StaffRole.CUSTOMER_SERVICE],
                sales_rep=staff[StaffRole.SALES],
            )
        owner = User.objects.filter(email=email).first()
        if owner is None:
            owner = customer_user_create(
                customer=customer, email=email, password=password, full_name=contact, role=CustomerRole.OWNER
            )
        owners.append(owner)
    return owners


def logins() -> list[str]:
    lines = ["  customers (portal):"]
    lines += [f"    {email:<32} {code} {company}" for code, company, _c, email, _l in CUSTOMERS]
    lines += ["  staff (back office, /staff/):"]
    lines += [f"    {role}@hub.example" for role, _name in STAFF]
    return lines
