"""Back-office cycle counts; included into the backoffice namespace at /staff/."""

from django.urls import path

from . import cycle_counts as views

urlpatterns = [
    path("cycle-counts/", views.CycleCountListView.as_view(), name="cycle-count-list"),
    path("cycle-counts/new/", views.CycleCountCreateView.as_view(), name="cycle-count-create"),
    path("cycle-counts/<int:pk>/", views.CycleCountDetailView.as_view(), name="cycle-count-detail"),
    path("cycle-counts/<int:pk>/sheet.pdf", views.CycleCountSheetView.as_view(), name="cycle-count-sheet"),
    path("cycle-counts/<int:pk>/counts/", views.CycleCountRecordView.as_view(), name="cycle-count-record"),
    path("cycle-counts/<int:pk>/status/", views.CycleCountTransitionView.as_view(), name="cycle-count-transition"),
    path("cycle-counts/<int:pk>/post/", views.CycleCountPostView.as_view(), name="cycle-count-post"),
    path("cycle-counts/<int:pk>/lines/", views.CycleCountAddLineView.as_view(), name="cycle-count-add-line"),
]
