"""Importing registrations from another tool."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "imports"

urlpatterns: list[URLPattern] = []
