from django.urls import URLPattern, path  # noqa: F401

app_name = "api_tokens"
urlpatterns: list[URLPattern] = []
