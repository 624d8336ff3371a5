from django.urls import path

from . import views

urlpatterns = [
    path("billing/topups/", views.TopUpQueueView.as_view(), name="billing-topup-queue"),
    path("billing/topups/<int:pk>/approve/", views.TopUpApproveView.as_view(), name="billing-topup-approve"),
    path("billing/topups/<int:pk>/reject/", views.TopUpRejectView.as_view(), name="billing-topup-reject"),
    path("billing/topups/<int:pk>/voucher/", views.TopUpVoucherView.as_view(), name="billing-topup-voucher"),
    path("billing/wallets/", views.WalletListView.as_view(), name="billing-wallets"),
    path("billing/wallets/<int:pk>/", views.WalletDetailView.as_view(), name="billing-wallet-detail"),
    path("billing/wallets/<int:pk>/adjust/", views.WalletAdjustView.as_view(), name="billing-wallet-adjust"),
    path("billing/misc-fees/", views.MiscFeesView.as_view(), name="billing-misc-fees"),
    path("billing/misc-fees/<int:pk>/cause/", views.MiscFeeCauseView.as_view(), name="billing-misc-fee-cause"),
    path("billing/payment-accounts/", views.PaymentAccountsView.as_view(), name="billing-payment-accounts"),
    path(
        "billing/payment-accounts/<int:pk>/",
        views.PaymentAccountEditView.as_view(),
        name="billing-payment-account-edit",
    ),
    path("billing/level-prices/", views.LevelPricesView.as_view(), name="billing-level-prices"),
]
