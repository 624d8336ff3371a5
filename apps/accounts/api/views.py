from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.models import ApiKey
from apps.accounts.selectors import api_key_list, user_with_customer
from apps.accounts.services import api_key_revoke
from apps.core.tenancy import staff_scope

from .serializers import ApiKeyOutput, MeOutput


class MeView(APIView):
    """The signed-in user and their customer account."""

    @extend_schema(responses=MeOutput)
    def get(self, request):
        return Response(MeOutput(user_with_customer(user_id=request.user.pk)).data)


class ApiKeyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The customer's API keys (new keys are made in the portal, where the key is shown once)."""

    serializer_class = ApiKeyOutput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no customer
            with staff_scope():
                return ApiKey.objects.none()
        return api_key_list(customer=self.request.user.customer)

    @extend_schema(request=None, responses=ApiKeyOutput)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        key = api_key_revoke(actor=request.user, api_key=self.get_object())
        return Response(ApiKeyOutput(key).data)
