"""A group's theme plan: coordinators choose and rebuild it, the group's facilitators read it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kollega.core.http import AuthedHttpRequest
from kollega.grouping.facilitator_forms import ThemePlanForm
from kollega.grouping.theme_plans import group_get_for_theme_plan, theme_plan_page, theme_plan_save
from kollega.grouping.themes import theme_plan_build


@login_required
def theme_plan(request: AuthedHttpRequest, pk: int, group_pk: int) -> HttpResponse:
    group, can_edit = group_get_for_theme_plan(user=request.user, programme_pk=pk, group_pk=group_pk)
    page = theme_plan_page(group=group)
    numbers = [row.number for row in page.rows]
    form = ThemePlanForm(numbers=numbers, themes=page.themes, plan=page.plan)
    status = 200
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        action = request.POST.get("action", "save")
        if action in ("rebuild", "clear"):
            theme_plan_build(group=group, keep_overrides=action == "rebuild", actor=request.user)
            messages.success(
                request,
                _("The plan was built again from the members' wishes; your choices stayed.")
                if action == "rebuild"
                else _("Your choices were cleared and the plan was built again from the members' wishes."),
            )
            return redirect("theme_plans:group", pk=pk, group_pk=group.pk)
        form = ThemePlanForm(request.POST, numbers=numbers, themes=page.themes, plan=page.plan)
        if form.is_valid():
            try:
                theme_plan_save(group=group, plan=form.plan(), actor=request.user)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("The theme plan was saved."))
                return redirect("theme_plans:group", pk=pk, group_pk=group.pk)
        status = 400
    return render(
        request,
        "grouping/themes/plan.html",
        {
            "programme": group.programme,
            "group": group,
            "page": page,
            "form": form,
            "can_edit": can_edit,
            "rows": [(row, form[f"meeting_{row.number}"]) for row in page.rows],
        },
        status=status,
    )
