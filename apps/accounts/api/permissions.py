from rest_framework.permissions import BasePermission


class IsCustomerUser(BasePermission):
    """The customer API is for users who belong to a customer account."""

    message = "This API is for customer accounts. Staff use the back office."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "customer_id", None))
