from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .middleware import TOKEN_KEYWORD, api_key_from_header


class ApiKeyFailed(exceptions.AuthenticationFailed):
    def __init__(self, detail, code):
        super().__init__(detail=detail, code=code)


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>``. The key was already resolved by ApiKeyMiddleware."""

    keyword = TOKEN_KEYWORD

    def authenticate(self, request):
        django_request = request._request
        if api_key_from_header(django_request) is None:
            return None
        check = getattr(django_request, "api_key_check", None)
        if check is None:
            raise ApiKeyFailed("API keys are only accepted under /api/.", "invalid_api_key")
        if check.api_key is None:
            raise ApiKeyFailed(check.error_message, check.error_code)
        return (check.api_key.user, check.api_key)

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes the API key in the OpenAPI schema (drf-spectacular finds it on import)."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; make keys in the portal under Integration → API keys.",
        }
