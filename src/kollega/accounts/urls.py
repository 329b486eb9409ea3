from django.urls import URLPattern, path

from kollega.accounts import views

app_name = "accounts"

urlpatterns: list[URLPattern] = [
    path("organisation/<slug:slug>/staff/", views.staff, name="staff"),
    path(
        "organisation/<slug:slug>/staff/invitations/<int:pk>/resend/",
        views.staff_invitation_resend,
        name="staff_invitation_resend",
    ),
    path(
        "organisation/<slug:slug>/staff/invitations/<int:pk>/cancel/",
        views.staff_invitation_cancel,
        name="staff_invitation_cancel",
    ),
    path("organisation/<slug:slug>/staff/roles/<int:pk>/remove/", views.staff_remove, name="staff_remove"),
    path("invitation/<str:token>/", views.invitation, name="invitation"),
    path("demo/sign-in/<str:value>/", views.demo_sign_in, name="demo_sign_in"),
]
