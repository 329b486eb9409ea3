"""The coordinator's outreach pages: the programme page's texts, channels and the press kit."""

from django.urls import URLPattern, path  # noqa: F401

app_name = "outreach"

urlpatterns: list[URLPattern] = []
