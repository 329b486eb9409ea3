from django.urls import path

from kollega.grouping import views

app_name = "grouping"

urlpatterns = [
    path("my-groups/", views.my_groups, name="my_groups"),
]
