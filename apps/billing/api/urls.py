from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import StorageFeeViewSet, TopUpViewSet, TransactionViewSet, WalletView

router = SimpleRouter()
router.register("billing/top-ups", TopUpViewSet, basename="billing-top-up")

urlpatterns = [
    path("billing/wallet/", WalletView.as_view(), name="billing-wallet"),
    path("billing/transactions/", TransactionViewSet.as_view({"get": "list"}), name="billing-transaction-list"),
    path("billing/storage-fees/", StorageFeeViewSet.as_view({"get": "list"}), name="billing-storage-fee-list"),
    *router.urls,
]
