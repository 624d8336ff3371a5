from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("shopify/<int:connection_id>/webhook/", views.shopify_webhook, name="shopify-webhook"),
]
