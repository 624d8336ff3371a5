from django.utils.dateparse import parse_date
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, pagination, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.billing.choices import EntryKind
from apps.billing.models import StorageFee, TopUp, WalletEntry
from apps.billing.selectors import entry_list, storage_fee_list, topup_list
from apps.billing.services import wallet_for
from apps.billing.topups import VOUCHER_MAX_BYTES, topup_submit
from apps.core.api.idempotency import idempotent
from apps.core.errors import ValidationFailed
from apps.core.tenancy import staff_scope

from .serializers import EntryOutput, StorageFeeOutput, TopUpInput, TopUpOutput, WalletOutput


class WalletView(APIView):
    """The prepaid wallet: balance, held (for orders not shipped yet) and available."""

    @extend_schema(responses=WalletOutput)
    def get(self, request):
        return Response(WalletOutput(wallet_for(request.user.customer)).data)


class EntryPagination(pagination.CursorPagination):
    ordering = "-id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class TransactionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The Transaction Record: every credit, charge, hold and release, newest first."""

    serializer_class = EntryOutput
    pagination_class = EntryPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("search", str, description="order number, reference or memo contains"),
            OpenApiParameter("kind", str, enum=[k.value for k in EntryKind]),
            OpenApiParameter("date_from", str, description="YYYY-MM-DD"),
            OpenApiParameter("date_to", str),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            with staff_scope():
                return WalletEntry.objects.none()
        p = self.request.query_params
        kind = p.get("kind", "")
        return entry_list(
            customer=self.request.user.customer,
            search=p.get("search", "").strip(),
            kind=kind if kind in EntryKind.values else "",
            date_from=parse_date(p.get("date_from", "")),
            date_to=parse_date(p.get("date_to", "")),
        )


class TopUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Top-ups: send the payment details with the voucher (multipart); finance confirms after the bank
    receives the money (normally 3–5 business days), and the wallet is credited within 1 business day."""

    serializer_class = TopUpOutput
    lookup_field = "number"
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            with staff_scope():
                return TopUp.objects.none()
        return topup_list(customer=self.request.user.customer)

    @extend_schema(request={"multipart/form-data": TopUpInput}, responses={201: TopUpOutput})
    @idempotent
    def create(self, request):
        data = TopUpInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["voucher"].size > VOUCHER_MAX_BYTES:
            raise ValidationFailed("The voucher is over 10 MB.", code="invalid_voucher")
        topup = topup_submit(
            actor=request.user,
            method=v["method"],
            currency=v["currency"],
            amount=v["amount"],
            payer=v["payer"],
            paid_on=v["paid_on"],
            transaction_ref=v["transaction_ref"],
            voucher=v["voucher"].read(),
            voucher_name=v["voucher"].name,
        )
        return Response(TopUpOutput(topup).data, status=status.HTTP_201_CREATED)


class StorageFeeViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Storage fees per day, warehouse and SKU: volume, rate, amount."""

    serializer_class = StorageFeeOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            with staff_scope():
                return StorageFee.objects.none()
        p = self.request.query_params
        return storage_fee_list(
            customer=self.request.user.customer,
            sku=p.get("sku", "").strip(),
            warehouse=p.get("warehouse", ""),
            date_from=parse_date(p.get("date_from", "")),
            date_to=parse_date(p.get("date_to", "")),
        )
