from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views import View
from django.views.generic import FormView

from apps.core.access import CustomerRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error

from .forms import ApiKeyCreateForm, LoginForm, NotificationsForm, RegisterForm
from .models import ApiKey
from .selectors import api_key_list
from .services import api_key_create, api_key_revoke, customer_register, notifications_set


def home(request):
    """Where "/" leads: customers to their dashboard, staff to the back office."""
    user = request.user
    if not user.is_authenticated:
        return redirect("accounts:login")
    if user.customer_id:
        return redirect("portal:dashboard")
    if user.is_staff:
        return redirect("backoffice:dashboard")
    if user.is_superuser:
        return redirect("admin:index")
    return redirect("accounts:login")


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, f"Signed in as {form.get_user().email}.")
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have signed out.")
        return response


class RegisterView(FormView):
    form_class = RegisterForm
    template_name = "accounts/register.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("home")
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = customer_register(
                company_name=data["company_name"],
                contact_name=data["contact_name"],
                email=data["email"],
                password=data["password1"],
                phone=data["phone"],
            )
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.form_invalid(form)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            self.request,
            f"Welcome! Your account is open and your customer code is {user.customer.code}. "
            "Start by adding your products.",
        )
        return redirect("portal:dashboard")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your password has been changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.info(
            self.request,
            "If an account uses that e-mail, we have sent it a link to choose a new password. "
            "Check your inbox (and spam folder).",
        )
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:login")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your new password is set. Sign in with it.")
        return response


class NotificationsView(CustomerRequiredMixin, View):
    """The signed-in user's own notification choices."""

    def get(self, request):
        form = NotificationsForm(initial={"email_delivery_exceptions": request.user.email_delivery_exceptions})
        return render(request, "accounts/notifications.html", {"form": form})

    def post(self, request):
        form = NotificationsForm(request.POST)
        form.is_valid()  # one optional checkbox: always valid
        wanted = form.cleaned_data.get("email_delivery_exceptions", False)
        notifications_set(user=request.user, email_delivery_exceptions=wanted)
        if wanted:
            messages.success(request, f"Delivery problems will be e-mailed to {request.user.email}.")
        else:
            messages.success(
                request, "Delivery problems will no longer be e-mailed to you; they still show in the portal."
            )
        return redirect("accounts:notifications")


class ApiKeyListView(CustomerRequiredMixin, View):
    """Integration → API keys: make, list and revoke keys. A new key is shown once."""

    template_name = "accounts/api_keys.html"

    def get(self, request, form=None, issued=None):
        context = {
            "form": form or ApiKeyCreateForm(),
            "keys": api_key_list(customer=request.user.customer),
            "issued": issued,
            "api_base": request.build_absolute_uri(reverse("api:me")).rsplit("me/", 1)[0],
        }
        return render(request, self.template_name, context)

    def post(self, request):
        form = ApiKeyCreateForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form)
        try:
            issued = api_key_create(actor=request.user, name=form.cleaned_data["name"])
        except ApplicationError as exc:
            form_add_application_error(form, exc)
            return self.get(request, form=form)
        messages.success(request, f"API key “{issued.api_key.name}” created. Copy it now: it will not be shown again.")
        return self.get(request, issued=issued)


class ApiKeyRevokeView(CustomerRequiredMixin, View):
    def post(self, request, pk):
        key = get_object_or_404(ApiKey.objects.all(), pk=pk)
        try:
            api_key_revoke(actor=request.user, api_key=key)
        except ApplicationError as exc:
            messages.warning(request, exc.message)
        else:
            messages.success(request, f"API key “{key.name}” revoked. Requests that use it now fail with 401.")
        return redirect("accounts:api-keys")
