from django.urls import path

from . import rate_cards, views

urlpatterns = [
    path("shipping/channels/", views.ChannelListView.as_view(), name="shipping-channel-list"),
    path("shipping/channels/new/", views.ChannelFormView.as_view(), name="shipping-channel-create"),
    path("shipping/channels/<slug:code>/edit/", views.ChannelFormView.as_view(), name="shipping-channel-update"),
    path(
        "shipping/channels/<slug:code>/sample-label/",
        views.SampleLabelView.as_view(),
        name="shipping-channel-sample-label",
    ),
    path("shipping/carriers/", views.CarrierListView.as_view(), name="shipping-carrier-list"),
    path("shipping/carriers/new/", views.CarrierFormView.as_view(), name="shipping-carrier-create"),
    path("shipping/carriers/<slug:code>/edit/", views.CarrierFormView.as_view(), name="shipping-carrier-update"),
    path("shipping/rate-cards/new/", rate_cards.RateCardFormView.as_view(), name="shipping-ratecard-create"),
    path("shipping/rate-cards/template.xlsx", rate_cards.RateTemplateView.as_view(), name="shipping-ratecard-template"),
    path("shipping/rate-cards/<int:pk>/", rate_cards.RateCardDetailView.as_view(), name="shipping-ratecard-detail"),
    path("shipping/rate-cards/<int:pk>/edit/", rate_cards.RateCardFormView.as_view(), name="shipping-ratecard-update"),
    path(
        "shipping/rate-cards/<int:pk>/import/",
        rate_cards.RateTableImportView.as_view(),
        name="shipping-ratecard-import",
    ),
    # <str:token>, not <uuid:…>: a malformed token must still meet the permission check (403), then 404.
    path(
        "shipping/rate-cards/<int:pk>/import/<str:token>/errors.xlsx",
        rate_cards.RateTableMarkedView.as_view(),
        name="shipping-ratecard-import-errors",
    ),
    path(
        "shipping/rate-cards/<int:pk>/surcharges/",
        rate_cards.RemoteSurchargesView.as_view(),
        name="shipping-ratecard-surcharges",
    ),
    path("shipping/level-discounts/", views.LevelDiscountsView.as_view(), name="shipping-level-discounts"),
    path(
        "shipping/customers/<str:code>/channels/",
        views.CustomerChannelsView.as_view(),
        name="shipping-customer-channels",
    ),
    path("shipping/quote/", views.QuoteView.as_view(), name="shipping-quote"),
]
