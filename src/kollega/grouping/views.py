from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kollega.core.selectors import roles_for_user
from kollega.grouping.selectors import group_list_for_facilitator, group_wellbeing_for_facilitator


@login_required
def my_groups(request: HttpRequest) -> HttpResponse:
    """A facilitator's own groups, with members, meetings and the group's well-being figures."""
    from kollega.evaluation.selectors import GROUP_MINIMUM

    roles = roles_for_user(user=request.user)
    groups = list(group_list_for_facilitator(user=request.user))
    wellbeing = group_wellbeing_for_facilitator(user=request.user, groups=groups)
    for group in groups:
        group.wellbeing = wellbeing[group.pk]  # type: ignore[attr-defined]
    return render(
        request,
        "grouping/my_groups.html",
        {"groups": groups, "is_staff": roles.staff, "group_minimum": GROUP_MINIMUM},
    )
