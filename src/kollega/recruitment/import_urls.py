"""Importing registrations from another tool."""

from django.urls import URLPattern, path

from kollega.recruitment import import_views as views

app_name = "imports"

urlpatterns: list[URLPattern] = [
    path("programmes/<int:pk>/import/", views.import_list, name="list"),
    path("programmes/<int:pk>/import/<int:job_pk>/", views.import_detail, name="detail"),
    path("programmes/<int:pk>/import/<int:job_pk>/columns/", views.import_mapping, name="mapping"),
    path("programmes/<int:pk>/import/<int:job_pk>/progress/", views.import_progress, name="progress"),
    path("programmes/<int:pk>/import/<int:job_pk>/start/", views.import_start, name="start"),
]
