"""The coordinator's grouping pages: the groups hub, a proposal with its groups side by side, and accepting it.

Views parse input, fetch through permission-checked selectors (a coordinator of
another organisation, or a facilitator, gets 404) and call one service. Every
change is a POST that returns to the page (post/redirect/get), where the hard
rules are checked again and any broken one is shown at the top. The optimiser
runs as a background job; while it runs, the page polls a small progress part
every second with htmx, or reloads itself every few seconds without JavaScript.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.core.http import AuthedHttpRequest
from kollega.core.models import Programme
from kollega.core.selectors import programme_get_for_coordinator
from kollega.grouping import explain, pairs
from kollega.grouping import proposal_selectors as selectors
from kollega.grouping.models import Group, PairKind, Proposal, ProposalState
from kollega.grouping.optimiser.problem import Status
from kollega.grouping.proposal_forms import (
    SHOWN_GROUPS_FIELD,
    LockForm,
    MoveForm,
    PairForm,
    ProposeForm,
    accept_forms,
    accept_forms_valid,
    apply_errors,
    shown_groups,
)
from kollega.grouping.proposals import (
    GroupDetails,
    problem_input,
    proposal_accept,
    proposal_check,
    proposal_create,
    proposal_goals,
    proposal_lock,
    proposal_move,
    proposal_rerun,
)

#: Without JavaScript, a running proposal's page reloads itself this often.
REFRESH_SECONDS = 3
RUNNING = (ProposalState.QUEUED, ProposalState.RUNNING)


# --- the hub -----------------------------------------------------------------------------------


def _hub_page(
    request: AuthedHttpRequest,
    programme: Programme,
    *,
    propose_form: ProposeForm | None = None,
    pair_form: PairForm | None = None,
    status: int = 200,
) -> HttpResponse:
    groups = list(selectors.group_list_for_programme(programme=programme))
    proposals = list(selectors.proposal_list_for_programme(programme=programme))
    for proposal in proposals:
        proposal.result = explain.status_short(proposal)  # type: ignore[attr-defined]
        proposal.gap_text = (  # type: ignore[attr-defined]
            explain.gap_percent(proposal.gap) if proposal.state != ProposalState.FAILED else ""
        )
    people = selectors.pairable_people(programme=programme)
    context = {
        "programme": programme,
        "waiting": selectors.waiting_for_group(programme=programme),
        "groups": groups,
        "proposals": proposals,
        "pair_rules": list(selectors.pair_rule_list(programme=programme)),
        "propose_form": propose_form
        or ProposeForm(industry_mode=programme.grouping_industries, groups_exist=bool(groups)),
        "pair_form": pair_form or PairForm(people=people),
        "kinds": dict(PairKind.choices),
    }
    return render(request, "grouping/proposals/hub.html", context, status=status)


@login_required
@require_GET
def hub(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    return _hub_page(request, programme)


@login_required
@require_POST
def propose(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    groups_exist = selectors.group_list_for_programme(programme=programme).exists()
    form = ProposeForm(request.POST, industry_mode=programme.grouping_industries, groups_exist=groups_exist)
    if form.is_valid():
        try:
            proposal = proposal_create(
                programme=programme,
                actor=request.user,
                time_limit=form.cleaned_data["time_limit"],
                weights=form.weights(),
                late_joiners=bool(form.cleaned_data.get("late_joiners")),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            return redirect("proposals:detail", programme.pk, proposal.number)
    return _hub_page(request, programme, propose_form=form, status=400)


@login_required
@require_POST
def pair_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    programme = programme_get_for_coordinator(user=request.user, pk=pk)
    form = PairForm(request.POST, people=selectors.pairable_people(programme=programme))
    if form.is_valid():
        data = form.cleaned_data
        try:
            rule = pairs.pair_rule_create(
                programme=programme,
                first=data["first"],
                second=data["second"],
                kind=data["kind"],
                note=data["note"],
                actor=request.user,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Pair rule added: %(first)s and %(second)s – %(rule)s.")
                % {
                    "first": rule.first.display_name,
                    "second": rule.second.display_name,
                    "rule": PairKind(rule.kind).label,
                },
            )
            return redirect(reverse("proposals:hub", args=[programme.pk]) + "#pairs-h")
    return _hub_page(request, programme, pair_form=form, status=400)


@login_required
@require_POST
def pair_remove(request: AuthedHttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    rule = selectors.pair_rule_get_for_coordinator(user=request.user, programme_pk=pk, pk=rule_pk)
    first, second = rule.first.display_name, rule.second.display_name
    pairs.pair_rule_delete(rule=rule, actor=request.user)
    messages.success(request, _("Pair rule removed: %(first)s and %(second)s.") % {"first": first, "second": second})
    return redirect(reverse("proposals:hub", args=[pk]) + "#pairs-h")


# --- one proposal ------------------------------------------------------------------------------


def _progress_context(proposal: Proposal) -> dict[str, Any]:
    started = proposal.started_at or proposal.created_at
    elapsed = max(0, int((timezone.now() - started).total_seconds()))
    return {
        "elapsed": elapsed,
        "shown_elapsed": min(elapsed, proposal.time_limit),
        "over_time": elapsed > proposal.time_limit,
    }


@login_required
@require_GET
def detail(request: AuthedHttpRequest, pk: int, number: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_coordinator(user=request.user, programme_pk=pk, number=number)
    context: dict[str, Any] = {
        "programme": proposal.programme,
        "proposal": proposal,
        "running": proposal.state in RUNNING,
        "refresh_seconds": REFRESH_SECONDS,
    }
    if proposal.state in RUNNING:
        context.update(_progress_context(proposal))
    elif proposal.state == ProposalState.DONE:
        data = problem_input(proposal=proposal)
        warnings = proposal_check(proposal=proposal, data=data)
        board = explain.proposal_board(proposal=proposal, warnings=warnings, data=data)
        context.update(
            board=board,
            warnings=board.warning_links(),
            conflicts=explain.conflict_sentences(proposal=proposal, board=board),
            goals=explain.goal_rows(proposal=proposal, now=proposal_goals(proposal=proposal, data=data)),
            editable=True,
        )
    elif proposal.state in (ProposalState.ACCEPTED, ProposalState.REPLACED):
        context.update(
            conflicts=explain.conflict_sentences(proposal=proposal),
            goals=explain.goal_rows(proposal=proposal, now=None),
        )
    if proposal.state in (ProposalState.DONE, ProposalState.ACCEPTED, ProposalState.REPLACED):
        context.update(
            status_text=explain.status_text(proposal),
            split_text=explain.split_text(proposal),
            # The score and its bound compare only when everyone is placed.
            scored=proposal.status in (Status.OPTIMAL, Status.FEASIBLE),
        )
    return render(request, "grouping/proposals/detail.html", context)


@login_required
@require_GET
def progress(request: AuthedHttpRequest, pk: int, number: int) -> HttpResponse:
    """The small part of a running proposal's page that htmx asks for every second."""
    proposal = selectors.proposal_get_for_coordinator(user=request.user, programme_pk=pk, number=number)
    if proposal.state not in RUNNING:
        if getattr(request, "htmx", False):
            response = HttpResponse("")
            response["HX-Refresh"] = "true"  # the answer is in: show the whole page
            return response
        return redirect("proposals:detail", pk, number)
    context = {"programme": proposal.programme, "proposal": proposal, **_progress_context(proposal)}
    return render(request, "grouping/proposals/_progress.html", context)


def _back(proposal: Proposal, anchor: str = "") -> HttpResponse:
    url = reverse("proposals:detail", args=[proposal.programme_id, proposal.number])
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _group_name(proposal: Proposal, key: str) -> str:
    return next((g["name"] for g in proposal.groups if g["key"] == key), key)


@login_required
@require_POST
def move(request: AuthedHttpRequest, pk: int, number: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_coordinator(user=request.user, programme_pk=pk, number=number)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the group to move the person to, then press “Move”."))
        return _back(proposal)
    person = form.cleaned_data["participant"]
    try:
        moved = proposal_move(
            proposal=proposal, participant_id=person, group_key=form.cleaned_data["group"], actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(proposal)
    name = selectors.participant_name(programme=proposal.programme, pk=person)
    messages.success(
        request,
        _("%(name)s moved to %(group)s.") % {"name": name, "group": _group_name(moved, form.cleaned_data["group"])},
    )
    return _back(proposal)


@login_required
@require_POST
def lock(request: AuthedHttpRequest, pk: int, number: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_coordinator(user=request.user, programme_pk=pk, number=number)
    form = LockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whom to lock or unlock."))
        return _back(proposal)
    person, locked = form.cleaned_data["participant"], form.cleaned_data["locked"]
    try:
        row = proposal_lock(proposal=proposal, participant_id=person, locked=locked, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(proposal)
    name = selectors.participant_name(programme=proposal.programme, pk=person)
    group = _group_name(row, row.assignment.get(str(person), ""))
    if locked:
        text = _("%(name)s is locked in %(group)s: running again keeps them there.")
    else:
        text = _("%(name)s is no longer locked in %(group)s.")
    messages.success(request, text % {"name": name, "group": group})
    return _back(proposal, f"person-{person}")


@login_required
@require_POST
def rerun(request: AuthedHttpRequest, pk: int, number: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_coordinator(user=request.user, programme_pk=pk, number=number)
    try:
        new = proposal_rerun(proposal=proposal, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(proposal)
    return redirect("proposals:detail", pk, new.number)


@login_required
@require_POST
def retry(request: AuthedHttpRequest, pk: int, number: int) -> HttpResponse:
    """A failed run again, with the same settings."""
    proposal = selectors.proposal_get_for_coordinator(user=request.user, programme_pk=pk, number=number)
    if proposal.state != ProposalState.FAILED:
        return _back(proposal)
    try:
        new = proposal_create(
            programme=proposal.programme,
            actor=request.user,
            time_limit=proposal.time_limit,
            weights=proposal.weights,
            industry_mode=proposal.industry_mode,
            previous=proposal.previous,
            late_joiners=proposal.late_joiners,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(proposal)
    return redirect("proposals:detail", pk, new.number)


@login_required
@require_http_methods(["GET", "POST"])
def accept(request: AuthedHttpRequest, pk: int, number: int) -> HttpResponse:
    """Name the new groups, choose their weekday and first meeting, and create them with their members.

    Each group's form is named by its key in the proposal, and the page posts back the keys it showed: when
    the groups with members changed in between (someone moved a person meanwhile), nothing is accepted and
    the page comes back with the groups as they are now.
    """
    proposal = selectors.proposal_get_for_coordinator(user=request.user, programme_pk=pk, number=number)
    if proposal.state != ProposalState.DONE:
        messages.error(request, _("Only a finished proposal that is not yet accepted can be accepted."))
        return _back(proposal)
    programme = proposal.programme
    sizes: dict[str, int] = {}
    for key in proposal.assignment.values():
        sizes[key] = sizes.get(key, 0) + 1
    used = [g for g in proposal.groups if sizes.get(g["key"])]
    today = timezone.localtime(timezone.now(), programme.organisation.tz).date()
    taken = list(selectors.group_list_for_programme(programme=programme).values_list("name", flat=True))
    posted = request.method == "POST"
    changed = posted and shown_groups(request.POST) != {g["key"] for g in used}
    new_groups = [g for g in used if not g.get("group_id")]
    if changed:
        # What was typed stays for the groups that are still there, but nothing is checked or written.
        forms_ = accept_forms(new_groups, taken=taken, today=today, typed=request.POST)
    else:
        forms_ = accept_forms(new_groups, data=request.POST if posted else None, taken=taken, today=today)
    errors: list[str] = []
    status = 200
    if changed:
        errors = [_("The groups changed while you were filling in the form; check them again.")]
        status = 400
    elif posted:
        if accept_forms_valid(forms_):
            details = {
                spec["key"]: GroupDetails(
                    name=form.cleaned_data["name"],
                    weekday=form.cleaned_data["weekday"],
                    start_date=form.cleaned_data["start_date"],
                )
                for spec, form in forms_
            }
            try:
                groups: dict[str, Group] = proposal_accept(proposal=proposal, details=details, actor=request.user)
            except ValidationError as exc:
                errors = exc.messages
            else:
                messages.success(request, _accepted_text(groups, sizes=sizes, new=set(details)))
                return redirect("proposals:hub", programme.pk)
        status = 400
    warnings = [w.message for w in proposal_check(proposal=proposal)]
    context = {
        "programme": programme,
        "proposal": proposal,
        "forms": [(spec, form, sizes.get(spec["key"], 0)) for spec, form in forms_],
        "joining": [(g, sizes[g["key"]]) for g in used if g.get("group_id")],
        "shown": [g["key"] for g in used],
        "shown_field": SHOWN_GROUPS_FIELD,
        "warnings": warnings,
        "errors": [e for e in errors if e not in warnings],
        "invalid": any(form.is_bound and form.errors for _spec, form in forms_),
    }
    return render(request, "grouping/proposals/accept.html", context, status=status)


def _accepted_text(groups: dict[str, Group], *, sizes: dict[str, int], new: set[str]) -> str:
    """What accepting did: how many people are now in how many groups (or joined existing ones)."""
    people = sum(sizes.get(key, 0) for key in groups)
    if any(key in new for key in groups):
        return ngettext(
            "The groups were created: %(people)s person is now in %(groups)s group.",
            "The groups were created: %(people)s people are now in %(groups)s groups.",
            people,
        ) % {"people": people, "groups": len(groups)}
    return ngettext(
        "%(people)s person joined an existing group.",
        "%(people)s people joined existing groups.",
        people,
    ) % {"people": people}
