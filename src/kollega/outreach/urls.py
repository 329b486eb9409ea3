"""The coordinator's outreach pages: the programme page's texts, channels and the press kit."""

from django.urls import URLPattern, path

from kollega.outreach import views

app_name = "outreach"

urlpatterns: list[URLPattern] = [
    path("programmes/<int:pk>/page/", views.page_edit, name="page"),
    path("programmes/<int:pk>/page/publish/", views.page_publish, name="page_publish"),
    path("programmes/<int:pk>/channels/", views.channel_list, name="channels"),
    path("programmes/<int:pk>/channels/<int:channel_pk>/", views.channel_edit, name="channel_edit"),
    path("programmes/<int:pk>/channels/<int:channel_pk>/in-use/", views.channel_set_active, name="channel_active"),
    path("programmes/<int:pk>/channels/<int:channel_pk>/delete/", views.channel_delete, name="channel_delete"),
    path("programmes/<int:pk>/press-kit/", views.press_kit, name="press_kit"),
]
