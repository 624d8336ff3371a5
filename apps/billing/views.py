"""Portal → Bills: the wallet, top-ups with their voucher, recharge and transaction records,
storage fees. Views shape input and call the services in topups.py (STYLE rule 3)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View

from apps.core.access import CustomerRequiredMixin
from apps.core.errors import ApplicationError
from apps.documents.toolkit.xlsx import write_xlsx
from apps.warehouses.selectors import customer_warehouses

from .choices import TOPUP_BADGES, PaymentMethod
from .forms import PaymentChoiceForm, StorageFeeFilterForm, TopUpForm, TransactionFilterForm
from .models import PaymentAccount, StorageFee, TopUp, WalletEntry
from .services import wallet_for
from .topups import VOUCHER_MAX_BYTES, topup_submit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 25

SUBMITTED_MESSAGE = (
    "Top-up {number} submitted. We confirm it once our bank has received the money — normally 3–5 business "
    "days, sometimes 5–10 — and credit your wallet within 1 business day after that."
)


def paginate(request, qs, size: int = PAGE_SIZE):
    return Paginator(qs, size).get_page(request.GET.get("page"))


def xlsx_response(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def add_error_sentence(form, error: ApplicationError) -> None:
    """The service's whole sentence beside the visible field it names (the short per-field words
    such as "not an image or PDF" read badly alone); on top of the form otherwise."""
    visible = {f.name for f in form.visible_fields()}
    field = next((f for f in (error.extra or {}) if f in visible), None)
    form.add_error(field, error.message)


def _valid_filters(form) -> dict:
    """The filters that parsed; a bad date is ignored instead of failing the page."""
    form.is_valid()
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}


class WalletView(CustomerRequiredMixin, View):
    """Bills home: balance, held and available money, and where to go next."""

    def get(self, request):
        wallet = wallet_for(request.user.customer)
        return render(
            request,
            "billing/wallet.html",
            {
                "wallet": wallet,
                "methods": PaymentMethod.choices,
                "recent": WalletEntry.objects.filter(customer=request.user.customer)[:5],
            },
        )


class TopUpView(CustomerRequiredMixin, View):
    """Step 1 (GET method+currency) shows where to pay; step 2 (?paid=1, then POST) sends the
    payment details with the voucher."""

    template_name = "billing/topup.html"

    def _account(self, choice):
        if not choice.is_valid():
            return None
        return PaymentAccount.objects.filter(
            method=choice.cleaned_data["method"], currency=choice.cleaned_data["currency"], is_active=True
        ).first()

    def get(self, request):
        chosen = "method" in request.GET
        choice = PaymentChoiceForm(request.GET if chosen else None)
        account = self._account(choice) if chosen else None
        form = None
        if account is not None and request.GET.get("paid"):
            form = TopUpForm(initial={"method": account.method, "currency": account.currency})
        return render(
            request, self.template_name, {"choice": choice, "chosen": chosen, "account": account, "form": form}
        )

    def post(self, request):
        form = TopUpForm(request.POST, request.FILES)
        choice = PaymentChoiceForm(request.POST)
        account = self._account(choice)
        if form.is_valid():
            data, upload = form.cleaned_data, form.cleaned_data["voucher"]
            if upload.size > VOUCHER_MAX_BYTES:
                form.add_error(
                    "voucher",
                    f"The voucher is {upload.size / 1024 / 1024:.1f} MB; the limit is 10 MB. "
                    "Send a smaller photo or screenshot.",
                )
            else:
                try:
                    topup = topup_submit(
                        actor=request.user,
                        method=data["method"],
                        currency=data["currency"],
                        amount=data["amount"],
                        payer=data["payer"],
                        paid_on=data["paid_on"],
                        transaction_ref=data["transaction_ref"],
                        voucher=upload.read(),
                        voucher_name=upload.name,
                    )
                except ApplicationError as exc:
                    add_error_sentence(form, exc)
                else:
                    messages.success(request, SUBMITTED_MESSAGE.format(number=topup.number))
                    return redirect("billing:recharge-record")
        return render(
            request,
            self.template_name,
            {"choice": choice, "chosen": True, "account": account, "form": form},
            status=400,
        )


class RechargeRecordView(CustomerRequiredMixin, View):
    def get(self, request):
        qs = TopUp.objects.filter(customer=request.user.customer).order_by("-created_at", "-id")
        page = paginate(request, qs)
        for t in page:
            t.badge = TOPUP_BADGES.get(t.status, "secondary")
            t.rate_text = format(t.exchange_rate.normalize(), "f") if t.exchange_rate is not None else ""
        wallet = wallet_for(request.user.customer)
        return render(request, "billing/recharge_record.html", {"page": page, "wallet_currency": wallet.currency})


class TopUpVoucherView(CustomerRequiredMixin, View):
    """The customer's own voucher (the scope and the filter both keep others' files out)."""

    def get(self, request, pk):
        topup = get_object_or_404(TopUp, pk=pk, customer=request.user.customer)
        return voucher_response(topup, inline=False)


def voucher_response(topup: TopUp, *, inline: bool) -> FileResponse:
    if not topup.voucher:
        raise Http404("This top-up has no voucher.")
    try:
        handle = topup.voucher.open("rb")
    except FileNotFoundError:
        raise Http404("The voucher file is missing.") from None
    name = topup.voucher.name.rsplit("/", 1)[-1]
    response = FileResponse(
        handle, as_attachment=not inline, filename=name, content_type=topup.voucher_type or "application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    if inline:
        response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def transaction_list(*, customer, filters: dict):
    qs = WalletEntry.objects.filter(customer=customer).order_by("-id")
    if filters.get("q"):
        q = filters["q"]
        qs = qs.filter(Q(reference_id__icontains=q) | Q(reference__icontains=q) | Q(memo__icontains=q))
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if filters.get("date_from"):
        qs = qs.filter(created_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(created_at__date__lte=filters["date_to"])
    return qs


class TransactionsView(CustomerRequiredMixin, View):
    def get(self, request):
        form = TransactionFilterForm(request.GET)
        filters = _valid_filters(form)
        qs = transaction_list(customer=request.user.customer, filters=filters)
        if request.GET.get("export"):
            rows = (
                (
                    timezone.localtime(e.created_at),
                    e.get_kind_display(),
                    e.amount,
                    e.held_delta,
                    e.balance_after,
                    e.held_after,
                    e.reference_id,
                    e.reference,
                    e.memo,
                )
                for e in qs.iterator()
            )
            data = write_xlsx(
                [
                    "Time",
                    "Type",
                    "Amount",
                    "Held change",
                    "Balance after",
                    "Held after",
                    "Order / document",
                    "Reference",
                    "Memo",
                ],
                rows,
                sheet_title="Transactions",
            )
            return xlsx_response(data, f"transactions-{timezone.localdate():%Y%m%d}.xlsx")
        params = request.GET.copy()
        params.pop("page", None)
        params.pop("export", None)
        return render(
            request,
            "billing/transactions.html",
            {
                "page": paginate(request, qs),
                "form": form,
                "filters": filters,
                "query": params.urlencode(),
                "wallet": wallet_for(request.user.customer),
            },
        )


def storage_fee_list(*, customer, filters: dict):
    qs = StorageFee.objects.filter(customer=customer).select_related("warehouse", "product")
    if filters.get("q"):
        qs = qs.filter(product__sku__icontains=filters["q"])
    if filters.get("warehouse"):
        qs = qs.filter(warehouse__code=filters["warehouse"])
    if filters.get("date_from"):
        qs = qs.filter(day__gte=filters["date_from"])
    if filters.get("date_to"):
        qs = qs.filter(day__lte=filters["date_to"])
    return qs.order_by("-day", "warehouse__code", "product__sku", "id")


class StorageFeesView(CustomerRequiredMixin, View):
    def get(self, request):
        form = StorageFeeFilterForm(request.GET)
        filters = _valid_filters(form)
        qs = storage_fee_list(customer=request.user.customer, filters=filters)
        if request.GET.get("export"):
            rows = (
                (f.day, f.warehouse.code, f.product.sku, f.units, f.volume_m3, f.rate, f.amount) for f in qs.iterator()
            )
            data = write_xlsx(
                ["Day", "Warehouse", "SKU", "Units", "Volume (m³)", "Rate per m³/day", "Amount"],
                rows,
                sheet_title="Storage fees",
            )
            return xlsx_response(data, f"storage-fees-{timezone.localdate():%Y%m%d}.xlsx")
        params = request.GET.copy()
        params.pop("page", None)
        params.pop("export", None)
        return render(
            request,
            "billing/storage_fees.html",
            {
                "page": paginate(request, qs),
                "form": form,
                "filters": filters,
                "query": params.urlencode(),
                "warehouses": customer_warehouses(customer=request.user.customer),
            },
        )
