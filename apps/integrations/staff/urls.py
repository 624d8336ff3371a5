"""Back-office shop connections; included into the backoffice namespace at /staff/."""

from django.urls import path

from . import reviews, views

urlpatterns = [
    path("shop-connections/review/", reviews.ReviewQueueView.as_view(), name="integration-reviews"),
    path("shop-connections/review/<int:pk>/", reviews.ReviewClearView.as_view(), name="integration-review-clear"),
    path("shop-connections/", views.ConnectionListView.as_view(), name="integration-connection-list"),
    path("shop-connections/<int:pk>/", views.ConnectionDetailView.as_view(), name="integration-connection-detail"),
    path("shop-connections/<int:pk>/pause/", views.ConnectionPauseView.as_view(), name="integration-connection-pause"),
    path(
        "shop-connections/<int:pk>/resume/", views.ConnectionResumeView.as_view(), name="integration-connection-resume"
    ),
    path(
        "shop-connections/<int:pk>/events/<int:event_pk>/replay/",
        views.EventReplayView.as_view(),
        name="integration-event-replay",
    ),
]
