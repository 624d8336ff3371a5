from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    path("", views.WalletView.as_view(), name="wallet"),
    path("topup/", views.TopUpView.as_view(), name="topup"),
    path("recharge-record/", views.RechargeRecordView.as_view(), name="recharge-record"),
    path("recharge-record/<int:pk>/voucher/", views.TopUpVoucherView.as_view(), name="topup-voucher"),
    path("transactions/", views.TransactionsView.as_view(), name="transactions"),
    path("storage-fees/", views.StorageFeesView.as_view(), name="storage-fees"),
]
