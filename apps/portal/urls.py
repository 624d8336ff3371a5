from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("track/", views.TrackingView.as_view(), name="tracking"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
]
