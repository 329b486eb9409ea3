"""The coordinator's form editor and preview."""

from django.urls import URLPattern, path

from kollega.surveys import views

app_name = "surveys"

urlpatterns: list[URLPattern] = [
    path("programmes/<int:pk>/registration-form/", views.registration_form, name="registration_form"),
    path("forms/<int:pk>/", views.form_detail, name="form_detail"),
    path("forms/<int:pk>/questions/new/", views.question_add, name="question_add"),
    path("forms/<int:pk>/questions/<int:question_pk>/", views.question_edit, name="question_edit"),
    path("forms/<int:pk>/questions/<int:question_pk>/delete/", views.question_delete, name="question_delete"),
    path("forms/<int:pk>/questions/<int:question_pk>/move/", views.question_move, name="question_move"),
    path("forms/<int:pk>/preview/<str:language>/", views.form_preview, name="form_preview"),
    path("forms/<int:pk>/copy/", views.form_copy, name="form_copy"),
    path("forms/<int:pk>/activate/", views.form_activate, name="form_activate"),
]
