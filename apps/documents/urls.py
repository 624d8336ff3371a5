from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.DownloadCentreView.as_view(), name="download-centre"),
    path("jobs/<int:pk>/", views.JobView.as_view(), name="job"),
    path("jobs/<int:pk>/<str:which>/", views.JobFileView.as_view(), name="job-file"),
]
