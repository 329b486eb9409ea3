"""The coordinator's schedule pages: a programme's schedule, a group's, one meeting's, and session templates."""

from django.urls import URLPattern, path

from kollega.meetings import coordinator_views as views

app_name = "schedule"

urlpatterns: list[URLPattern] = [
    path("programmes/<int:pk>/schedule/", views.programme_schedule, name="programme"),
    path("programmes/<int:pk>/schedule/groups/<int:group_pk>/", views.group_schedule, name="group"),
    path("programmes/<int:pk>/schedule/groups/<int:group_pk>/invite/", views.group_invite, name="invite"),
    path("programmes/<int:pk>/schedule/groups/<int:group_pk>/link/", views.group_link, name="group_link"),
    path("programmes/<int:pk>/schedule/groups/<int:group_pk>/add/", views.group_meeting_add, name="add"),
    path("programmes/<int:pk>/schedule/meetings/<int:meeting_pk>/", views.meeting_edit, name="meeting"),
    path("organisation/<slug:slug>/session-templates/", views.session_templates, name="templates"),
    path("organisation/<slug:slug>/session-templates/new/", views.session_template_edit, name="template_new"),
    path(
        "organisation/<slug:slug>/session-templates/<int:template_pk>/",
        views.session_template_edit,
        name="template_edit",
    ),
]
