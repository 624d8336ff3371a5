"""Back office: customer accounts (sales open them and set level and reps; others look)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from apps.accounts.choices import CUSTOMER_STATUS_BADGES, CustomerStatus
from apps.accounts.forms import CustomerForm, CustomerOwnerForm, CustomerStatusForm
from apps.accounts.models import Customer, CustomerLevel
from apps.accounts.selectors import customer_list
from apps.accounts.services import customer_open, customer_update
from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError
from apps.core.forms import form_add_application_error


class CustomerListView(StaffPermissionRequiredMixin, View):
    permission_required = "accounts.view_customer"

    def get(self, request):
        search = request.GET.get("q", "").strip()
        status = request.GET.get("status", "")
        level = request.GET.get("level", "")
        page = Paginator(customer_list(search=search, status=status, level=level), 25).get_page(request.GET.get("page"))
        return render(
            request,
            "accounts/staff/customer_list.html",
            {
                "page": page,
                "q": search,
                "status": status,
                "level": level,
                "statuses": CustomerStatus.choices,
                "levels": CustomerLevel.objects.all(),
                "badges": CUSTOMER_STATUS_BADGES,
            },
        )


class CustomerCreateView(StaffPermissionRequiredMixin, View):
    permission_required = "accounts.add_customer"
    template_name = "accounts/staff/customer_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": CustomerForm(), "owner_form": CustomerOwnerForm()})

    def post(self, request):
        form = CustomerForm(request.POST)
        owner_form = CustomerOwnerForm(request.POST)
        if form.is_valid() and owner_form.is_valid():
            try:
                customer = customer_open(
                    actor=request.user,
                    **form.cleaned_data,
                    owner_email=owner_form.cleaned_data["owner_email"],
                    owner_password=owner_form.cleaned_data["owner_password"],
                )
            except ApplicationError as exc:
                # The owner's e-mail or password was refused: nothing was saved.
                form_add_application_error(owner_form, exc)
            else:
                messages.success(request, f"Customer {customer.code} {customer.company_name} created.")
                return redirect("backoffice:customer-detail", code=customer.code)
        return render(request, self.template_name, {"form": form, "owner_form": owner_form}, status=400)


class CustomerDetailView(StaffPermissionRequiredMixin, View):
    permission_required = "accounts.view_customer"

    def get(self, request, code):
        customer = get_object_or_404(Customer.objects.select_related("level", "service_rep", "sales_rep"), code=code)
        return render(
            request,
            "accounts/staff/customer_detail.html",
            {
                "customer": customer,
                "users": customer.users.order_by("email"),
                "badges": CUSTOMER_STATUS_BADGES,
                "status_form": CustomerStatusForm(initial={"status": customer.status}),
            },
        )


class CustomerUpdateView(StaffPermissionRequiredMixin, View):
    permission_required = "accounts.change_customer"
    template_name = "accounts/staff/customer_form.html"

    def get(self, request, code):
        customer = get_object_or_404(Customer, code=code)
        return render(request, self.template_name, {"form": CustomerForm(instance=customer), "customer": customer})

    def post(self, request, code):
        customer = get_object_or_404(Customer, code=code)
        form = CustomerForm(request.POST, instance=Customer.objects.get(pk=customer.pk))
        if form.is_valid():
            customer_update(actor=request.user, customer=customer, **form.cleaned_data)
            messages.success(request, f"Customer {customer.code} updated.")
            return redirect("backoffice:customer-detail", code=customer.code)
        return render(request, self.template_name, {"form": form, "customer": customer}, status=400)


class CustomerStatusView(StaffPermissionRequiredMixin, View):
    permission_required = "accounts.suspend_customer"

    def post(self, request, code):
        customer = get_object_or_404(Customer, code=code)
        form = CustomerStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose Active or Suspended.")
        else:
            customer_update(actor=request.user, customer=customer, status=form.cleaned_data["status"])
            messages.success(request, f"Customer {customer.code} is now {customer.get_status_display().lower()}.")
        return redirect("backoffice:customer-detail", code=customer.code)
