"""Demo data: two customers, one staff user per role. Idempotent; never in production unless forced."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

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


class Command(BaseCommand):
    help = "Create the demo customers and staff users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")
        parser.add_argument("--quiet", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, force=False, quiet=False, **options):
        if not settings.ALLOW_DEMO_SEED and not force:
            raise CommandError("seed_demo refuses to run with production settings; pass --force if you mean it.")
        password = settings.DEMO_PASSWORD
        with transaction.atomic():
            staff = {role: self._staff(role, name, password) for role, name in STAFF}
            for code, company, contact, email, level in CUSTOMERS:
                self._customer(code, company, contact, email, level, password, staff)
        if not quiet:
            self._print_logins(password)

    def _staff(self, role, name, password):
        email = f"{role}@hub.example"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = staff_user_create(email=email, password=password, full_name=name, roles=[role])
        if role == StaffRole.ADMIN and not user.is_superuser:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        return user

    def _customer(self, code, company, contact, email, level, password, staff):
        customer = Customer.objects.filter(code=code).first()
        if customer is None:
            customer = customer_create(
                actor=None, code=code, company_name=company, contact_name=contact,
                contact_email=email, level=CustomerLevel.objects.get(code=level),
                service_rep=staff[StaffRole.CUSTOMER_SERVICE], sales_rep=staff[StaffRole.SALES],
            )
        if not User.objects.filter(email=email).exists():
            customer_user_create(customer=customer, email=email, password=password,
                                 full_name=contact, role=CustomerRole.OWNER)

    def _print_logins(self, password):
        out = self.stdout
        out.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/ with:"))
        out.write(f"  password for every demo login: {password}")
        out.write("  customers (portal):")
        for code, company, _contact, email, _level in CUSTOMERS:
            out.write(f"    {email:<32} {code} {company}")
        out.write("  staff (back office, /staff/):")
        for role, _name in STAFF:
            out.write(f"    {role}@hub.example")
