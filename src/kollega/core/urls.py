from django.urls import path

from kollega.core import views

urlpatterns = [
    path("", views.home, name="home"),
]
