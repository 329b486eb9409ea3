from django.urls import path

from kollega.core import views

app_name = "core"

urlpatterns = [
    path("programmes/", views.programme_list, name="programme_list"),
    path("programmes/new/", views.programme_create, name="programme_create"),
    path("programmes/<int:pk>/", views.programme_detail, name="programme_detail"),
    path("programmes/<int:pk>/settings/", views.programme_edit, name="programme_edit"),
    path("programmes/<int:pk>/themes/new/", views.theme_create, name="theme_create"),
    path("programmes/<int:pk>/themes/<int:theme_pk>/", views.theme_edit, name="theme_edit"),
    path("programmes/<int:pk>/participants/", views.participant_list, name="participant_list"),
    path("participants/<int:pk>/", views.participant_detail, name="participant_detail"),
    path("participants/<int:pk>/status/", views.participant_change_status, name="participant_change_status"),
    path("participants/<int:pk>/no-show/", views.participant_no_show, name="participant_no_show"),
    path("me/", views.participant_home, name="participant_home"),
    path("organisation/<slug:slug>/", views.organisation_settings, name="organisation_settings"),
    path("organisation/<slug:slug>/closed-periods/", views.closed_period_add, name="closed_period_add"),
    path(
        "organisation/<slug:slug>/closed-periods/<int:period_pk>/delete/",
        views.closed_period_delete,
        name="closed_period_delete",
    ),
    path("organisation/<slug:slug>/partners/", views.partner_add, name="partner_add"),
    path("organisation/<slug:slug>/partners/<int:partner_pk>/remove/", views.partner_remove, name="partner_remove"),
]
