from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from .models import ApiKey, Customer, CustomerLevel, User

DEFAULT_LEVEL_CODE = "standard"


def default_customer_level() -> CustomerLevel:
    level = CustomerLevel.objects.filter(code=DEFAULT_LEVEL_CODE).first()
    return level or CustomerLevel.objects.order_by("rank", "pk").first()


def customer_list(*, search: str = "", status: str = "", level: str = "") -> QuerySet[Customer]:
    """Back-office customer list with everything the table renders, in a fixed number of queries."""
    qs = Customer.objects.select_related("level", "service_rep", "sales_rep").annotate(
        user_count=Count("users", distinct=True)
    )
    if search:
        qs = qs.filter(
            Q(code__icontains=search)
            | Q(company_name__icontains=search)
            | Q(contact_name__icontains=search)
            | Q(contact_email__icontains=search)
        )
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level__code=level)
    return qs.order_by("code")


def user_with_customer(*, user_id: int) -> User:
    return User.objects.select_related("customer__level", "customer__service_rep").get(pk=user_id)


def staff_users(*, role: str | None = None) -> QuerySet[User]:
    qs = User.objects.filter(is_staff=True, is_active=True).order_by("full_name", "email")
    if role:
        qs = qs.filter(groups__name=role)
    return qs


def api_key_list(*, customer: Customer) -> QuerySet[ApiKey]:
    """The customer's keys, newest first (call inside the customer's scope)."""
    return ApiKey.objects.filter(customer=customer).select_related("user", "revoked_by")


def staff_roles(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))
