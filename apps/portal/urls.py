from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("m/<slug:key>/", views.ModuleView.as_view(), name="module"),
    path("settings/", views.SettingsView.as_view(), name="settings"),
]
