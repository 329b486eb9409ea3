"""A group's theme plan (coordinators change it, the group's facilitators read it)."""

from django.urls import URLPattern, path

from kollega.grouping import theme_views as views

app_name = "theme_plans"

urlpatterns: list[URLPattern] = [
    path("programmes/<int:pk>/groups/<int:group_pk>/themes/", views.theme_plan, name="group"),
]
