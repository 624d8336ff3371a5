from django.urls import path

from . import views, views_ebay, views_woocommerce

app_name = "integrations"

urlpatterns = [
    path("shopify/<int:connection_id>/webhook/", views.shopify_webhook, name="shopify-webhook"),
    # Shopify appends this to the callback URL we register (…/shopify/<id>), without a slash.
    path(
        "shopify/<int:connection_id>/fulfillment_order_notification",
        views.shopify_fulfillment_notification,
        name="shopify-fulfillment-notification",
    ),
    path("shopify/oauth/callback/", views.ShopifyOAuthCallbackView.as_view(), name="shopify-oauth-callback"),
    path("shops/", views.ShopListView.as_view(), name="shops"),
    path("shops/connect/shopify/", views.ShopConnectView.as_view(), name="connect-shopify"),
    path("shops/install/shopify/", views.ShopInstallView.as_view(), name="install-shopify"),
    path("shops/<int:pk>/disconnect/", views.ConnectionDisconnectView.as_view(), name="connection-disconnect"),
    path("shops/<int:pk>/sync/", views.ConnectionSyncView.as_view(), name="connection-sync"),
    path("shops/<int:pk>/register/", views.ConnectionRegisterServicesView.as_view(), name="connection-register"),
    path("shops/<int:pk>/pause/", views.ConnectionPauseView.as_view(), name="connection-pause"),
    path("shops/<int:pk>/resume/", views.ConnectionResumeView.as_view(), name="connection-resume"),
    path("shops/<int:pk>/stock/", views.ConnectionStockView.as_view(), name="connection-stock"),
    path("shops/<int:pk>/events/", views.ConnectionEventsView.as_view(), name="connection-events"),
    path("shops/<int:pk>/sku/<int:mapping_pk>/map/", views.SkuMapView.as_view(), name="sku-map"),
    # WooCommerce (views_woocommerce.py)
    path("woocommerce/<int:connection_id>/webhook/", views_woocommerce.woocommerce_webhook, name="woocommerce-webhook"),
    path("woocommerce/auth/callback/", views_woocommerce.woocommerce_handshake_callback, name="woocommerce-callback"),
    path("shops/connect/woocommerce/", views_woocommerce.WooConnectView.as_view(), name="woocommerce-connect"),
    path(
        "shops/connect/woocommerce/approve/",
        views_woocommerce.WooHandshakeStartView.as_view(),
        name="woocommerce-handshake",
    ),
    path(
        "shops/connect/woocommerce/return/",
        views_woocommerce.WooHandshakeReturnView.as_view(),
        name="woocommerce-return",
    ),
    path("shops/connect/ebay/", views_ebay.EbayConnectView.as_view(), name="connect-ebay"),
    path("ebay/oauth/callback/", views_ebay.EbayConsentCallbackView.as_view(), name="ebay-oauth-callback"),
    path("ebay/account-deletion/", views_ebay.ebay_account_deletion, name="ebay-account-deletion"),
]
