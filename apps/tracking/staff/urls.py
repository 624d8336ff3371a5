"""Back-office tracking (TMS); included into the backoffice namespace at /staff/."""

from django.urls import path

from . import views

urlpatterns = [
    path("tracking/", views.TrackingListView.as_view(), name="tracking-list"),
    path("tracking/exceptions/", views.ExceptionQueueView.as_view(), name="tracking-exceptions"),
    path("tracking/transit-times/", views.TransitTimesView.as_view(), name="tracking-transit"),
    path("tracking/exceptions/<int:pk>/act/", views.ExceptionActView.as_view(), name="tracking-exception-act"),
    path("tracking/<str:number>/", views.TrackingOrderView.as_view(), name="tracking-order"),
    path("tracking/<str:number>/events/", views.TrackingEventAddView.as_view(), name="tracking-event-add"),
    path("tracking/<str:number>/deliver/", views.TrackingDeliverView.as_view(), name="tracking-deliver"),
]
