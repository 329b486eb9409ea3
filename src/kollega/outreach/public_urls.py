"""Public pages: the programme page, registration and the personal links in registration emails."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "public"

urlpatterns: list[URLPattern] = []
