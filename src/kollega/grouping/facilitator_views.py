"""The coordinator's facilitators page: who leads and co-facilitates each group, their load and clashes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kollega.core.http import AuthedHttpRequest
from kollega.core.models import Programme
from kollega.core.selectors import programme_get_for_coordinator
from kollega.grouping.facilitator_forms import GroupFacilitatorsForm, person_label
from kollega.grouping.facilitators import (
    FacilitatorClashError,
    facilitator_load,
    group_facilitators_set,
    group_get_for_coordinator,
    programme_clashes,
    programme_groups,
)


def _render(
    request: AuthedHttpRequest,
    programme: Programme,
    bound: GroupFacilitatorsForm | None = None,
    clash_messages: list[str] | None = None,
) -> HttpResponse:
    groups = programme_groups(programme=programme)
    loads = facilitator_load(programme=programme)
    people = {load.user.pk: load.user for load in loads}
    choices = [(str(load.user.pk), person_label(load, home_organisation=programme.organisation.name)) for load in loads]
    clashes = programme_clashes(groups=groups)
    rows: list[dict[str, Any]] = []
    for group in groups:
        if bound is not None and bound.group.pk == group.pk:
            form = bound
        else:
            form = GroupFacilitatorsForm(group=group, people=people, choices=choices)
        rows.append(
            {
                "group": group,
                "form": form,
                "clashes": clashes[group.pk],
                "confirming": form is bound and bool(clash_messages),
            }
        )
    return render(
        request,
        "grouping/facilitators/list.html",
        {
            "programme": programme,
            "rows": rows,
            "loads": loads,
            "bound": bound,
            "clash_messages": clash_messages or [],
            "all_clashes": [clash for row in rows for clash in row["clashes"]],
        },
        status=400 if bound is not None else 200,
    )


@login_required
def facilitators(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    return _render(request, programme)


@login_required
@require_POST
def facilitators_save(request: AuthedHttpRequest, pk: int, group_pk: int) -> HttpResponse:
    group = group_get_for_coordinator(user=request.user, programme_pk=pk, group_pk=group_pk)
    programme = group.programme
    loads = facilitator_load(programme=programme)
    people = {load.user.pk: load.user for load in loads}
    choices = [(str(load.user.pk), person_label(load, home_organisation=programme.organisation.name)) for load in loads]
    form = GroupFacilitatorsForm(request.POST, group=group, people=people, choices=choices)
    if form.is_valid():
        try:
            group_facilitators_set(
                group=group,
                lead=form.person("lead"),
                co=form.person("co"),
                actor=request.user,
                confirm_clash=form.cleaned_data["confirm_clash"],
            )
        except FacilitatorClashError as exc:
            return _render(request, programme, form, clash_messages=exc.messages)
        except ValidationError as exc:
            errors = exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
            for field, field_errors in errors:
                for error in field_errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The facilitators of %(group)s were saved.") % {"group": group.name})
            return redirect(reverse("facilitators:list", args=[programme.pk]) + f"#group-{group.pk}")
    return _render(request, programme, form)
