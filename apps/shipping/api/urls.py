from django.urls import path

from .views import ChannelViewSet, QuoteView

urlpatterns = [
    path("shipping/channels/", ChannelViewSet.as_view({"get": "list"}), name="shipping-channel-list"),
    path("shipping/quotes/", QuoteView.as_view(), name="shipping-quote"),
]
