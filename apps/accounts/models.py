from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from apps.core.tenancy import CustomerScopedManager

from .choices import CustomerRole, CustomerStatus


class CustomerLevel(models.Model):
    """A pricing tier set by sales (fulfilment fee, storage rate and freight discount hang off it)."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=60)
    rank = models.PositiveSmallIntegerField(default=0, help_text="Higher ranks get better prices.")
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["rank", "code"]

    def __str__(self):
        return self.name


class Customer(models.Model):
    """A seller who keeps stock with us. Everything customer-owned hangs off this row."""

    code = models.CharField(max_length=12, unique=True, editable=False)
    company_name = models.CharField(max_length=200)
    contact_name = models.CharField(max_length=120)
    contact_email = models.EmailField()
    contact_phone = models.CharField(max_length=40, blank=True)
    level = models.ForeignKey(CustomerLevel, on_delete=models.PROTECT, related_name="customers")
    status = models.CharField(max_length=16, choices=CustomerStatus.choices, default=CustomerStatus.ACTIVE)
    service_rep = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="serviced_customers",
        limit_choices_to={"is_staff": True},
        help_text="Dedicated customer-service representative.",
    )
    sales_rep = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sold_customers",
        limit_choices_to={"is_staff": True},
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        permissions = [("suspend_customer", "Can suspend or reactivate a customer")]

    def __str__(self):
        return f"{self.code} {self.company_name}"

    @property
    def is_active(self) -> bool:
        return self.status == CustomerStatus.ACTIVE


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Signs in with an e-mail address. A customer user belongs to exactly one customer;
    staff users belong to none and get their powers from role groups."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=120, blank=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    customer_role = models.CharField(max_length=10, choices=CustomerRole.choices, blank=True)
    is_staff = models.BooleanField(
        default=False, help_text="Works in the back office. Customer users can never be staff."
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    welcome_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Notifications (the user's own choice, Notifications page): customer users only.
    email_delivery_exceptions = models.BooleanField(
        default=True, help_text="E-mail me when one of our parcels has a delivery problem."
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(customer__isnull=True) | models.Q(is_staff=False),
                name="accounts_user_customer_users_are_not_staff",
            ),
            models.CheckConstraint(
                condition=models.Q(customer__isnull=True, customer_role="")
                | models.Q(customer__isnull=False, customer_role__in=["owner", "member"]),
                name="accounts_user_customer_role_matches_customer",
            ),
        ]

    def __str__(self):
        return self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name or self.email).split(" ")[0]

    @property
    def is_customer_user(self) -> bool:
        return self.customer_id is not None


class ApiKey(models.Model):
    """A customer's API key. Only a SHA-256 of the key is stored; the key is shown once."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="api_keys")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, help_text="The first characters, to recognise a key.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = CustomerScopedManager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class BackOfficeSection(models.Model):
    """No table: it only carries the permissions that open each back-office desk."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_sales_desk", "Back office: sales desk"),
            ("view_service_desk", "Back office: customer service desk"),
            ("view_order_desk", "Back office: order group (OMS) desk"),
            ("view_warehouse_desk", "Back office: warehouse desk"),
            ("view_logistics_desk", "Back office: logistics (TMS) desk"),
            ("view_finance_desk", "Back office: finance (FMS) desk"),
        ]

    def __str__(self):
        return "Back-office sections"
