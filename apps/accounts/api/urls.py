from rest_framework.routers import SimpleRouter

from .views import ApiKeyViewSet

router = SimpleRouter()
router.register("api-keys", ApiKeyViewSet, basename="api-key")

# me/ (views.MeView) is routed by apps.warehouses.api, which adds the customer's default
# warehouse: accounts sits below warehouses and cannot read it.
urlpatterns = [
    *router.urls,
]
