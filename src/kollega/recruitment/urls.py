"""The coordinator's applicant exports and the needs dashboard."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "recruitment"

urlpatterns: list[URLPattern] = []
