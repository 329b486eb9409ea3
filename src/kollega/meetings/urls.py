"""The meetings' pages. Names are used by the emails, so they stay stable."""

from __future__ import annotations

from django.urls import path

from kollega.meetings import views

app_name = "meetings"

urlpatterns = [
    # Participants: their meetings, calendar files and the materials of past meetings.
    path("my/meetings/", views.mine, name="mine"),
    path("my/meetings/calendar.ics", views.mine_calendar, name="mine_calendar"),
    path("my/meetings/<int:pk>/calendar.ics", views.meeting_calendar, name="meeting_calendar"),
    path("materials/<int:pk>/", views.material_download, name="material"),
    # Signed links from the emails.
    path("m/absent/<str:token>/", views.absence, name="absence"),
    path("m/test/<str:token>/", views.setup_test, name="setup_test"),
    # Facilitators and coordinators.
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/held/", views.meeting_held, name="meeting_held"),
    path("meetings/<int:pk>/notes/", views.meeting_notes, name="meeting_notes"),
    path("meetings/<int:pk>/materials/", views.material_add, name="material_add"),
    path("meetings/<int:pk>/materials/send/", views.materials_send, name="materials_send"),
    path("meetings/<int:pk>/materials/<int:material_pk>/delete/", views.material_delete, name="material_delete"),
    path("meetings/group/<int:pk>/", views.group, name="group"),
]
