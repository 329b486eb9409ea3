"""The coordinator's applicant exports and the needs dashboard."""

from django.urls import URLPattern, path

from kollega.recruitment import views

app_name = "recruitment"

urlpatterns: list[URLPattern] = [
    path("programmes/<int:pk>/needs/", views.needs, name="needs"),
    path(
        "programmes/<int:pk>/participants/export.csv",
        views.participant_export_csv,
        name="participant_export_csv",
    ),
    path(
        "programmes/<int:pk>/participants/export.xlsx",
        views.participant_export_xlsx,
        name="participant_export_xlsx",
    ),
]
