"""Who may open a page: customer portal users, or staff holding a declared permission."""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied

from .tenancy import staff_scope


class CustomerRequiredMixin(AccessMixin):
    """Portal pages: a signed-in user who belongs to a customer. The middleware has already
    entered that customer's scope, so every scoped query sees only its rows."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if getattr(request.user, "customer_id", None) is None:
            raise PermissionDenied("This page is for customer accounts. Staff work in the back office at /staff/.")
        return super().dispatch(request, *args, **kwargs)


class StaffPermissionRequiredMixin(AccessMixin):
    """Back-office pages name the permission they need (STYLE rule 12).

    Anonymous users go to the login page; signed-in users without the permission (customers
    included) get 403. Only after the check does the view leave the customer scope.
    """

    permission_required: str | tuple[str, ...] = ()

    def get_permission_required(self) -> tuple[str, ...]:
        perms = self.permission_required
        if not perms:
            raise ValueError(f"{type(self).__name__} must declare permission_required")
        return (perms,) if isinstance(perms, str) else tuple(perms)

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if getattr(user, "customer_id", None) is not None or not user.is_staff:
            raise PermissionDenied("The back office is for Fulfillment Hub staff only.")
        if not user.has_perms(self.get_permission_required()):
            raise PermissionDenied(
                "Your role does not include this back-office section. Ask an administrator if you need it."
            )
        with staff_scope():
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # lazy template responses must render inside the scope too
            return response
