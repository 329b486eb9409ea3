"""The coordinator's grouping pages: the groups hub, proposals, pair rules and accepting."""

from django.urls import URLPattern, path

from kollega.grouping import proposal_views as views

app_name = "proposals"

urlpatterns: list[URLPattern] = [
    path("programmes/<int:pk>/groups/", views.hub, name="hub"),
    path("programmes/<int:pk>/groups/propose/", views.propose, name="propose"),
    path("programmes/<int:pk>/groups/pairs/add/", views.pair_add, name="pair_add"),
    path("programmes/<int:pk>/groups/pairs/<int:rule_pk>/remove/", views.pair_remove, name="pair_remove"),
    path("programmes/<int:pk>/groups/proposals/<int:number>/", views.detail, name="detail"),
    path("programmes/<int:pk>/groups/proposals/<int:number>/progress/", views.progress, name="progress"),
    path("programmes/<int:pk>/groups/proposals/<int:number>/move/", views.move, name="move"),
    path("programmes/<int:pk>/groups/proposals/<int:number>/move/<int:person>/", views.move_person, name="move_person"),
    path("programmes/<int:pk>/groups/proposals/<int:number>/lock/", views.lock, name="lock"),
    path("programmes/<int:pk>/groups/proposals/<int:number>/run-again/", views.rerun, name="rerun"),
    path("programmes/<int:pk>/groups/proposals/<int:number>/try-again/", views.retry, name="retry"),
    path("programmes/<int:pk>/groups/proposals/<int:number>/accept/", views.accept, name="accept"),
]
