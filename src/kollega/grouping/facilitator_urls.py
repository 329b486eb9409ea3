"""Facilitators of a programme's groups (coordinators)."""

from django.urls import URLPattern, path

from kollega.grouping import facilitator_views as views

app_name = "facilitators"

urlpatterns: list[URLPattern] = [
    path("programmes/<int:pk>/groups/facilitators/", views.facilitators, name="list"),
    path("programmes/<int:pk>/groups/<int:group_pk>/facilitators/", views.facilitators_save, name="save"),
]
