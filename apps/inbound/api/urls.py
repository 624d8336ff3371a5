from rest_framework.routers import SimpleRouter

from .views import InboundViewSet

router = SimpleRouter()
router.register("inbound-orders", InboundViewSet, basename="inbound-order")

urlpatterns = router.urls
