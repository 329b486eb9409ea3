"""The coordinator's interview record and the decision after the interview."""

from django.urls import URLPattern, path

from kollega.interviews import record_views as views

app_name = "interview_records"

urlpatterns: list[URLPattern] = [
    path("participants/<int:pk>/interview/", views.record_edit, name="record"),
    path("participants/<int:pk>/accept/", views.accept, name="accept"),
    path("participants/<int:pk>/decline/", views.decline, name="decline"),
]
