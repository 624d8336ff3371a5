from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.shipping.customer_quotes import customer_quote
from apps.shipping.models import Channel
from apps.shipping.selectors import customer_channels

from .serializers import ChannelOutput, QuoteInput, QuoteOutput


class ChannelViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The shipping channels this customer may use, per warehouse."""

    serializer_class = ChannelOutput
    queryset = Channel.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Channel.objects.none()
        return customer_channels(customer=self.request.user.customer)


class QuoteView(APIView):
    """Price every channel for a parcel (weight and dimensions) or for order lines (SKU weights and
    sizes summed with a packaging allowance): the eligible ones with their breakdown and transit
    time, the others with the reason."""

    @extend_schema(request=QuoteInput, responses=QuoteOutput)
    def post(self, request):
        data = QuoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        result = customer_quote(
            customer=request.user.customer,
            warehouse_code=v["warehouse"],
            country=v["country"],
            postal_code=v.get("postal_code", ""),
            parcel=dict(v["parcel"]) if v.get("parcel") else None,
            lines=[(ln["sku"], ln["quantity"]) for ln in v.get("lines", [])],
            sort=v["sort"],
        )
        return Response(QuoteOutput(result).data)
