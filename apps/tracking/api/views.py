from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..rules import MAX_NUMBERS, numbers_parse
from ..selectors import public_tracking
from .serializers import TrackingOutput


class TrackingView(APIView):
    """Public tracking (DESIGN §10): no key needed; the anonymous rate limit applies."""

    authentication_classes = ()
    permission_classes = (AllowAny,)

    @extend_schema(
        operation_id="tracking_list",
        summary="Track up to 40 parcels",
        description=f"Order numbers (S…, check digit verified) or tracking numbers, comma-separated, at most "
        f"{MAX_NUMBERS}. The answer keeps the order of the numbers asked; a number with no parcel "
        "answers `found: false`. More than 40 numbers, or a mistyped order number, is a 400.",
        auth=[],
        parameters=[
            OpenApiParameter(
                "numbers",
                str,
                OpenApiParameter.QUERY,
                required=True,
                description=f"Up to {MAX_NUMBERS} numbers, comma-separated.",
                examples=[OpenApiExample("two", value="S26112500000421,1Z9FH0010300000014")],
            )
        ],
        responses={
            200: TrackingOutput(many=True),
            400: OpenApiResponse(
                inline_serializer(
                    "TrackingError", {"code": serializers.CharField(), "message": serializers.CharField()}
                ),
                description="No numbers, more than 40, or a malformed number (`code`: `no_numbers`, "
                "`too_many_numbers`, `bad_numbers`).",
            ),
        },
    )
    def get(self, request):
        numbers = numbers_parse(",".join(request.query_params.getlist("numbers")))
        return Response(TrackingOutput(public_tracking(numbers=numbers), many=True).data)
