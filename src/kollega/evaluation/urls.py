from django.urls import path

from kollega.evaluation import views

app_name = "evaluation"

urlpatterns = [
    # Before q/<token>/: "resend" is never a token (a token always holds its signature after a dot).
    path("q/resend/", views.questionnaire_resend, name="questionnaire_resend"),
    path("q/<str:token>/", views.questionnaire, name="questionnaire"),
    path("q/<str:token>/answers/", views.questionnaire_done, name="questionnaire_done"),
    path("q/<str:token>/contact/", views.questionnaire_contact, name="questionnaire_contact"),
    path("programmes/<int:pk>/questionnaires/", views.round_list, name="round_list"),
    path("programmes/<int:pk>/questionnaires/<int:round_pk>/", views.round_detail, name="round_detail"),
    path(
        "programmes/<int:pk>/questionnaires/instruments/<str:key>/<str:language>/",
        views.instrument_wording,
        name="instrument_wording",
    ),
    path("programmes/<int:pk>/questionnaires/<int:round_pk>/remind/", views.round_remind, name="round_remind"),
    path("programmes/<int:pk>/questionnaires/<int:round_pk>/close/", views.round_close, name="round_close"),
    path(
        "programmes/<int:pk>/questionnaires/requests/<int:request_pk>/handled/",
        views.contact_request_handle,
        name="contact_request_handle",
    ),
]
