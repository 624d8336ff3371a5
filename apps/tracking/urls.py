from django.urls import path

from . import views

app_name = "tracking"

urlpatterns = [
    path("", views.track, name="track"),
    path("webhook/<slug:provider>/", views.provider_webhook, name="webhook"),
]
