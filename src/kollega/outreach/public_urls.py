"""Public pages: the programme page, registration and the personal links in registration emails."""

from django.urls import URLPattern, path

from kollega.outreach import public_views as views

app_name = "public"

_PROGRAMME = "p/<slug:organisation_slug>/<slug:programme_slug>/"

urlpatterns: list[URLPattern] = [
    path(_PROGRAMME, views.programme_page, name="programme"),
    path(_PROGRAMME + "privacy/", views.privacy_notice, name="privacy"),
    path(_PROGRAMME + "qr.svg", views.qr_code, name="qr"),
    path(_PROGRAMME + "poster/", views.poster, name="poster"),
    path(_PROGRAMME + "register/", views.register, name="register"),
    path(_PROGRAMME + "register/done/", views.registered, name="registered"),
    # Before the personal link: "confirm" is not a token.
    path("r/confirm/<str:token>/", views.confirm_change, name="confirm"),
    path("r/<str:token>/", views.manage, name="manage"),
    path("r/<str:token>/cancel/", views.cancel, name="cancel"),
    path("r/<str:token>/offer/", views.offer, name="offer"),
]
