from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .choices import CustomerStatus
from .models import Customer, CustomerLevel
from .selectors import staff_users


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        "invalid_login": "That e-mail and password do not match an account. Check both and try again "
        "(passwords are case-sensitive).",
        "inactive": "This account is deactivated. Contact your administrator.",
        "suspended": "Your customer account is suspended. Contact your customer service "
        "representative to reactivate it.",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if user.customer_id and user.customer.status == CustomerStatus.SUSPENDED:
            raise forms.ValidationError(self.error_messages["suspended"], code="suspended")


class RegisterForm(forms.Form):
    company_name = forms.CharField(label="Company name", max_length=200)
    contact_name = forms.CharField(label="Your name", max_length=120)
    email = forms.EmailField(label="E-mail", help_text="You will sign in with this address.")
    phone = forms.CharField(label="Phone", max_length=40, required=False)
    password1 = forms.CharField(
        label="Password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters; not only numbers; not a common password.",
    )
    password2 = forms.CharField(
        label="Repeat password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords differ. Type the same password twice.")
        return data


class ApiKeyCreateForm(forms.Form):
    name = forms.CharField(label="Name", max_length=80, help_text="Where the key is used, e.g. “Shopify sync”.")


class CustomerForm(forms.ModelForm):
    """Back office (sales): open a customer account or change its level and representatives."""

    class Meta:
        model = Customer
        fields = ["company_name", "contact_name", "contact_email", "contact_phone", "level", "service_rep", "sales_rep"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = CustomerLevel.objects.all()
        self.fields["service_rep"].queryset = staff_users(role="customer_service")
        self.fields["sales_rep"].queryset = staff_users(role="sales")


class CustomerStatusForm(forms.Form):
    status = forms.ChoiceField(choices=CustomerStatus.choices)


class CustomerOwnerForm(forms.Form):
    """Optional first login for a customer opened by sales."""

    owner_email = forms.EmailField(label="Owner's login e-mail", required=False)
    owner_password = forms.CharField(
        label="Initial password",
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave both empty to add users later.",
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("owner_email")) != bool(data.get("owner_password")):
            raise forms.ValidationError("Give both the owner's e-mail and an initial password, or neither.")
        return data


class NotificationsForm(forms.Form):
    email_delivery_exceptions = forms.BooleanField(
        required=False,
        label="E-mail me when a parcel has a delivery problem",
        help_text="A failed delivery, a parcel lost or on its way back, or no news from the carrier for days.",
    )
