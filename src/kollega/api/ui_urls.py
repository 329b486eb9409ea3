"""The staff page for personal API tokens, at /account/api-tokens/."""

from django.urls import URLPattern, path

from kollega.api import views

app_name = "api_tokens"
urlpatterns: list[URLPattern] = [
    path("", views.token_list, name="list"),
    path("new/", views.token_create, name="create"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
]
