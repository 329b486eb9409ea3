"""Interview slots (coordinators), the interviewer's own list, and the applicant's booking page (personal link)."""

from django.urls import URLPattern, path

from kollega.interviews import views

app_name = "interviews"

urlpatterns: list[URLPattern] = [
    path("programmes/<int:pk>/interviews/", views.slots, name="slots"),
    path("programmes/<int:pk>/interviews/add/", views.slot_add, name="slot_add"),
    path("programmes/<int:pk>/interviews/add-pattern/", views.slots_add_recurring, name="slots_add_recurring"),
    path("programmes/<int:pk>/interviews/invite/", views.invite, name="invite"),
    path("programmes/<int:pk>/interviews/slots/<int:slot_pk>/cancel/", views.slot_cancel, name="slot_cancel"),
    path(
        "programmes/<int:pk>/interviews/bookings/<int:booking_pk>/no-show/",
        views.booking_no_show,
        name="no_show",
    ),
    path("my-interviews/", views.my_interviews, name="my_interviews"),
    path("organisation/<slug:slug>/video-links/", views.video_links, name="video_links"),
    # Personal links (no sign-in): the token names the applicant.
    path("r/<str:token>/interview/", views.book, name="book"),
    path("r/<str:token>/interview/cancel/", views.booking_cancel, name="cancel"),
    path("r/<str:token>/interview.ics", views.booking_ics, name="ics"),
]
