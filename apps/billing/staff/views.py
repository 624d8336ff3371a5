"""Back office → Billing: the top-up queue with vouchers, wallets and adjustments, misc fees,
payment accounts and level prices. Each view names its permission (STYLE rule 12); writes go
through the billing services, and every ApplicationError becomes a message."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin

from apps.accounts.models import Customer, CustomerLevel
from apps.billing.choices import TOPUP_BADGES, EntryKind, MiscFeeStatus, TopUpStatus
from apps.billing.models import LevelPrice, MiscFeeNotice, PaymentAccount, TopUp, Wallet, WalletEntry
from apps.billing.services import adjust, wallet_for
from apps.billing.topups import MISC_FEE_CAUSES, misc_fee_notice, misc_fee_set_cause, topup_approve, topup_reject
from apps.billing.views import add_error_sentence, voucher_response
from apps.core.access import StaffPermissionRequiredMixin
from apps.core.errors import ApplicationError

from .forms import AdjustmentForm, ApproveForm, LevelPriceForm, MiscFeeForm, PaymentAccountForm, RejectForm

OVERDUE_AFTER = timedelta(hours=72)
PAGE_SIZE = 25


def _page(request, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _back(request, fallback: str):
    """Return to the list the action came from (same-site paths only)."""
    target = request.POST.get("next", "")
    return redirect(target if target.startswith("/") and not target.startswith("//") else fallback)


class MethodPermissionMixin(StaffPermissionRequiredMixin):
    """Reading needs ``permission_required``; posting needs ``post_permission_required`` too."""

    post_permission_required: str | tuple[str, ...] = ()

    def get_permission_required(self):
        perms = super().get_permission_required()
        if self.request.method == "POST" and self.post_permission_required:
            extra = self.post_permission_required
            perms = perms + ((extra,) if isinstance(extra, str) else tuple(extra))
        return perms


# --- Top-ups ---------------------------------------------------------------------------------------


class TopUpQueueView(StaffPermissionRequiredMixin, View):
    permission_required = "billing.view_topup"

    def get(self, request):
        status = request.GET.get("status", TopUpStatus.SUBMITTED)
        code = request.GET.get("customer", "").strip().upper()
        qs = TopUp.objects.select_related("customer", "created_by", "reviewed_by")
        if status in TopUpStatus.values:
            qs = qs.filter(status=status)
        else:
            status = ""
        if code:
            qs = qs.filter(customer__code=code)
        # Oldest first while waiting (first come, first served); newest first once decided.
        qs = qs.order_by("created_at", "id") if status == TopUpStatus.SUBMITTED else qs.order_by("-created_at", "-id")
        page = _page(request, qs)
        currencies = dict(
            Wallet.objects.filter(customer_id__in=[t.customer_id for t in page]).values_list("customer_id", "currency")
        )
        for t in page:
            t.wallet_currency = currencies.get(t.customer_id, "USD")
            t.needs_rate = t.currency != t.wallet_currency
            t.badge = TOPUP_BADGES.get(t.status, "secondary")
            t.is_pdf = t.voucher_type == "application/pdf"
        return render(
            request,
            "billing/staff/topup_queue.html",
            {
                "page": page,
                "status": status,
                "statuses": TopUpStatus.choices,
                "customer_code": code,
                "approve_form": ApproveForm(),
                "reject_form": RejectForm(),
                "next": request.get_full_path(),
            },
        )


class TopUpApproveView(StaffPermissionRequiredMixin, View):
    permission_required = ("billing.view_topup", "billing.review_topup")

    def post(self, request, pk):
        topup = get_object_or_404(TopUp, pk=pk)
        form = ApproveForm(request.POST)
        if not form.is_valid():
            messages.error(request, f"Top-up {topup.number}: give the received amount.")
            return _back(request, reverse("backoffice:billing-topup-queue"))
        try:
            topup = topup_approve(
                actor=request.user,
                topup=topup,
                received_amount=form.cleaned_data["received_amount"],
                exchange_rate=form.cleaned_data["exchange_rate"] or None,
            )
        except ApplicationError as exc:
            messages.error(request, f"Top-up {topup.number}: {exc.message}")
        else:
            wallet = wallet_for(topup.customer)
            messages.success(
                request,
                f"Top-up {topup.number} approved: {topup.credited_amount} {wallet.currency} "
                f"credited to {topup.customer.code}.",
            )
        return _back(request, reverse("backoffice:billing-topup-queue"))


class TopUpRejectView(StaffPermissionRequiredMixin, View):
    permission_required = ("billing.view_topup", "billing.review_topup")

    def post(self, request, pk):
        topup = get_object_or_404(TopUp, pk=pk)
        try:
            topup = topup_reject(actor=request.user, topup=topup, reason=request.POST.get("reason", ""))
        except ApplicationError as exc:
            messages.error(request, f"Top-up {topup.number}: {exc.message}")
        else:
            messages.success(request, f"Top-up {topup.number} rejected; {topup.customer.code} sees the reason.")
        return _back(request, reverse("backoffice:billing-topup-queue"))


@method_decorator(xframe_options_sameorigin, name="dispatch")
class TopUpVoucherView(StaffPermissionRequiredMixin, View):
    """The voucher inline (for the queue's <img>/<embed>), with its checked type and nosniff."""

    permission_required = "billing.view_topup"

    def get(self, request, pk):
        return voucher_response(get_object_or_404(TopUp, pk=pk), inline=True)


# --- Wallets ---------------------------------------------------------------------------------------


class WalletListView(StaffPermissionRequiredMixin, View):
    permission_required = "billing.view_wallet"

    def get(self, request):
        q = request.GET.get("q", "").strip()
        qs = Customer.objects.select_related("wallet").order_by("code")
        if q:
            qs = qs.filter(Q(code__icontains=q) | Q(company_name__icontains=q))
        page = _page(request, qs)
        for c in page:
            c.w = getattr(c, "wallet", None)
        return render(request, "billing/staff/wallets.html", {"page": page, "q": q})


class WalletDetailView(StaffPermissionRequiredMixin, View):
    permission_required = ("billing.view_wallet", "billing.view_walletentry")
    template_name = "billing/staff/wallet_detail.html"

    def get(self, request, pk):
        return self.show(request, get_object_or_404(Customer, pk=pk), AdjustmentForm())

    def show(self, request, customer, form, status=200):
        kind = request.GET.get("kind", "")
        qs = WalletEntry.objects.filter(customer=customer).select_related("actor").order_by("-id")
        if kind in EntryKind.values:
            qs = qs.filter(kind=kind)
        return render(
            request,
            self.template_name,
            {
                "customer": customer,
                "wallet": wallet_for(customer),
                "page": _page(request, qs),
                "form": form,
                "kinds": EntryKind.choices,
                "kind": kind,
            },
            status=status,
        )


class WalletAdjustView(WalletDetailView):
    permission_required = ("billing.view_wallet", "billing.view_walletentry", "billing.adjust_wallet")
    http_method_names = ["post"]

    def post(self, request, pk):
        customer = get_object_or_404(Customer, pk=pk)
        form = AdjustmentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            key = f"adjust:{data['idempotency_key']}"
            if WalletEntry.objects.filter(customer=customer, idempotency_key=key).exists():
                messages.info(request, "That adjustment was already posted; it was not posted again.")
                return redirect("backoffice:billing-wallet-detail", pk=customer.pk)
            try:
                entry = adjust(
                    customer=customer,
                    amount=data["amount"],
                    reason=data["reason"],
                    idempotency_key=key,
                    actor=request.user,
                    reference_type="adjustment",
                    reference="Wallet adjustment",
                )
            except ApplicationError as exc:
                add_error_sentence(form, exc)
            else:
                messages.success(
                    request,
                    f"Adjusted {customer.code}'s wallet by {entry.amount:+} "
                    f"{entry.wallet.currency}; the balance is now {entry.balance_after}.",
                )
                return redirect("backoffice:billing-wallet-detail", pk=customer.pk)
        messages.error(request, "The adjustment was not posted; see the form.")
        return self.show(request, customer, form, status=400)


# --- Misc fees -------------------------------------------------------------------------------------


class MiscFeesView(MethodPermissionMixin, View):
    permission_required = "billing.view_miscfeenotice"
    post_permission_required = "billing.add_miscfeenotice"
    template_name = "billing/staff/misc_fees.html"

    def get(self, request):
        return self.show(request, MiscFeeForm())

    def show(self, request, form, status=200):
        now = timezone.now()
        qs = MiscFeeNotice.objects.select_related("customer", "created_by", "entry").order_by("-noticed_at", "-id")
        state = request.GET.get("status", "")
        code = request.GET.get("customer", "").strip().upper()
        overdue = bool(request.GET.get("overdue"))
        if state in MiscFeeStatus.values:
            qs = qs.filter(status=state)
        if code:
            qs = qs.filter(customer__code=code)
        if overdue:
            qs = qs.filter(status=MiscFeeStatus.WAITING, noticed_at__lt=now - OVERDUE_AFTER)
        page = _page(request, qs)
        for n in page:
            n.overdue = n.status == MiscFeeStatus.WAITING and n.noticed_at < now - OVERDUE_AFTER
        return render(
            request,
            self.template_name,
            {
                "page": page,
                "form": form,
                "statuses": MiscFeeStatus.choices,
                "state": state,
                "customer_code": code,
                "overdue": overdue,
                "causes": MISC_FEE_CAUSES,
            },
            status=status,
        )

    def post(self, request):
        form = MiscFeeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            customer = Customer.objects.filter(code=data["customer"].strip().upper()).first()
            if customer is None:
                form.add_error("customer", f"There is no customer {data['customer']}.")
            else:
                try:
                    notice = misc_fee_notice(
                        actor=request.user, customer=customer, amount=data["amount"], reason=data["reason"]
                    )
                except ApplicationError as exc:
                    add_error_sentence(form, exc)
                else:
                    if notice.status == MiscFeeStatus.DEDUCTED:
                        messages.success(request, f"Misc fee of {notice.amount} deducted from {customer.code}.")
                    else:
                        messages.warning(
                            request,
                            f"Misc fee of {notice.amount} for {customer.code} is waiting: "
                            f"{notice.cause or 'the balance is short'}. It is deducted as soon "
                            "as the balance allows.",
                        )
                    return redirect("backoffice:billing-misc-fees")
        messages.error(request, "The fee notice was not posted; see the form.")
        return self.show(request, form, status=400)


class MiscFeeCauseView(StaffPermissionRequiredMixin, View):
    permission_required = "billing.add_miscfeenotice"

    def post(self, request, pk):
        notice = get_object_or_404(MiscFeeNotice.objects.select_related("customer"), pk=pk)
        try:
            notice = misc_fee_set_cause(actor=request.user, notice=notice, cause=request.POST.get("cause", ""))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Noted for {notice.customer.code}'s fee of {notice.amount}: {notice.cause}.")
        return redirect(reverse("backoffice:billing-misc-fees") + "?" + request.POST.get("back", ""))


# --- Payment accounts ------------------------------------------------------------------------------


class PaymentAccountsView(MethodPermissionMixin, View):
    permission_required = "billing.view_paymentaccount"
    post_permission_required = "billing.add_paymentaccount"
    template_name = "billing/staff/payment_accounts.html"

    def get(self, request):
        return self.show(request, PaymentAccountForm())

    def show(self, request, form, status=200):
        return render(
            request, self.template_name, {"accounts": PaymentAccount.objects.all(), "form": form}, status=status
        )

    def post(self, request):
        form = PaymentAccountForm(request.POST)
        if form.is_valid():
            account = form.save()
            messages.success(request, f"Payment account {account} added.")
            return redirect("backoffice:billing-payment-accounts")
        messages.error(request, "The payment account was not saved; see the form.")
        return self.show(request, form, status=400)


class PaymentAccountEditView(MethodPermissionMixin, View):
    permission_required = "billing.view_paymentaccount"
    post_permission_required = "billing.change_paymentaccount"
    template_name = "billing/staff/payment_account_form.html"

    def get(self, request, pk):
        account = get_object_or_404(PaymentAccount, pk=pk)
        return render(request, self.template_name, {"account": account, "form": PaymentAccountForm(instance=account)})

    def post(self, request, pk):
        account = get_object_or_404(PaymentAccount, pk=pk)
        form = PaymentAccountForm(request.POST, instance=account)
        if form.is_valid():
            account = form.save()
            messages.success(request, f"Payment account {account} saved.")
            return redirect("backoffice:billing-payment-accounts")
        messages.error(request, "The payment account was not saved; see the form.")
        return render(request, self.template_name, {"account": account, "form": form}, status=400)


# --- Level prices ----------------------------------------------------------------------------------


class LevelPricesView(MethodPermissionMixin, View):
    permission_required = "billing.view_levelprice"
    post_permission_required = "billing.change_levelprice"
    template_name = "billing/staff/level_prices.html"

    def get(self, request):
        return self.show(request)

    def show(self, request, bound=None, status=200):
        prices = {p.level_id: p for p in LevelPrice.objects.all()}
        rows = []
        for level in CustomerLevel.objects.all():
            if bound is not None and bound[0] == level.pk:
                form = bound[1]
            else:
                form = LevelPriceForm(instance=prices.get(level.pk) or LevelPrice(level=level), prefix=f"l{level.pk}")
            rows.append((level, form))
        return render(request, self.template_name, {"rows": rows}, status=status)

    def post(self, request):
        level_id = request.POST.get("level", "")
        level = CustomerLevel.objects.filter(pk=level_id).first() if level_id.isdecimal() else None
        if level is None:
            messages.error(request, "Choose a customer level.")
            return redirect("backoffice:billing-level-prices")
        price = LevelPrice.objects.filter(level=level).first() or LevelPrice(level=level)
        form = LevelPriceForm(request.POST, instance=price, prefix=f"l{level.pk}")
        if form.is_valid():
            form.save()
            messages.success(request, f"Prices for {level} saved.")
            return redirect("backoffice:billing-level-prices")
        messages.error(request, f"Prices for {level} were not saved; see the form.")
        return self.show(request, bound=(level.pk, form), status=400)
