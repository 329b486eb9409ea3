"""The programme's readiness for groups (coordinators)."""

from django.urls import URLPattern, path

from kollega.interviews import readiness_views as views

app_name = "readiness"

urlpatterns: list[URLPattern] = [
    path("programmes/<int:pk>/readiness/", views.readiness, name="programme"),
]
