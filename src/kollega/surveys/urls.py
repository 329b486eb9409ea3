"""The coordinator's form editor and preview."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "surveys"

urlpatterns: list[URLPattern] = []
