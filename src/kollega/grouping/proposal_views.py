"""The coordinator's grouping pages: the groups hub, a proposal with its groups side by side, and accepting it.

Views parse input, fetch through permission-checked selectors (a coordinator of
another organisation, or a facilitator, gets 404) and call one service. Every
change is a POST that returns to the page (post/redirect/get), where the hard
rules are checked again and any broken one is shown at the top. The optimiser
runs as a background job; while it runs, the page polls a small progress part
every second with htmx, or reloads itself every few seconds without JavaScript.

A big proposal (more than 20 groups) is shown a page of groups at a time, with a
filter by time and a search by name in the address; the broken rules of the whole
proposal stay at the top, each linking to its page. Moves and locks return to the
page they were made on (a ``next`` field, followed only when it is this very page).
Accepting more than 20 groups takes one set of settings for all of them.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kollega.core.http import AuthedHttpRequest
from kollega.core.models import Programme
from kollega.core.selectors import programme_get_for_coordinator
from kollega.grouping import explain, pairs
from kollega.grouping import proposal_selectors as selectors
from kollega.grouping.models import WEEKDAYS, Group, PairKind, Proposal, ProposalState
from kollega.grouping.optimiser.problem import Status
from kollega.grouping.proposal_forms import (
    CHANGE_ROWS,
    CHANGE_ROWS_FIELD,
    CHANGE_ROWS_MAX,
    ONE_BY_ONE_MAX,
    SHOWN_DIGEST_FIELD,
    SHOWN_GROUPS_FIELD,
    AcceptAllForm,
    AcceptGroupForm,
    BoardFilterForm,
    LockForm,
    MoveForm,
    PairForm,
    ProposeForm,
    accept_all_forms,
    accept_forms,
    accept_forms_valid,
    accept_many_summary,
    apply_errors,
    change_forms,
    change_forms_valid,
    groups_digest,
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

WEEKDAY_NAMES = dict(WEEKDAYS)
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
        view = selectors.board_page(
            board=board,
            slot_of={g["key"]: g["slot"] for g in proposal.groups},
            slot=request.GET.get("slot", ""),
            page=request.GET.get("page"),
            out=request.GET.get("out"),
            query=request.GET.get("q", ""),
            person=request.GET.get("person"),
        )
        if view.target is not None and view.query and "person" not in request.GET:
            # Found by name: the address names the person and ends at them, so the browser shows them.
            return redirect(request.path + view.target.href)
        context.update(
            board=board,
            view=view,
            filter_form=BoardFilterForm(
                initial={"q": view.query, "slot": view.slot}, slots=view.slot_choices, total=len(board.groups)
            ),
            here=request.get_full_path(),
            warnings=view.warnings,
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


def _same_page_query(path: str, address: str) -> str:
    """The query of ``address`` when it is this very page's (a local path, nothing else), else ""."""
    if not address or not url_has_allowed_host_and_scheme(address, allowed_hosts=None):
        return ""
    parts = urlsplit(address)
    if parts.scheme or parts.netloc or parts.path != path:
        return ""
    return parts.query


def _back(proposal: Proposal, anchor: str = "", *, request: AuthedHttpRequest | None = None) -> HttpResponse:
    """To the proposal's page; to the same page of its groups (time shown, search) that the form was sent from."""
    url = reverse("proposals:detail", args=[proposal.programme_id, proposal.number])
    query = _same_page_query(url, request.POST.get("next", "")) if request is not None else ""
    return redirect(url + (f"?{query}" if query else "") + (f"#{anchor}" if anchor else ""))


def _group_name(proposal: Proposal, key: str) -> str:
    return next((g["name"] for g in proposal.groups if g["key"] == key), key)


@login_required
@require_POST
def move(request: AuthedHttpRequest, pk: int, number: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_coordinator(user=request.user, programme_pk=pk, number=number)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the group to move the person to, then press “Move”."))
        return _back(proposal, request=request)
    person = form.cleaned_data["participant"]
    try:
        moved = proposal_move(
            proposal=proposal, participant_id=person, group_key=form.cleaned_data["group"], actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(proposal, request=request)
    name = selectors.participant_name(programme=proposal.programme, pk=person)
    messages.success(
        request,
        _("%(name)s moved to %(group)s.") % {"name": name, "group": _group_name(moved, form.cleaned_data["group"])},
    )
    return _back(proposal, request=request)


@login_required
@require_GET
def move_person(request: AuthedHttpRequest, pk: int, number: int, person: int) -> HttpResponse:
    """One person's "Move to…" with every group at the times they agreed to: on a big proposal, the proposal's
    page lists only the groups it shows. The move returns to the page of groups the person was moved from."""
    proposal = selectors.proposal_get_for_coordinator(user=request.user, programme_pk=pk, number=number)
    detail_url = reverse("proposals:detail", args=[pk, number])
    query = _same_page_query(detail_url, request.GET.get("next", ""))
    back = detail_url + (f"?{query}" if query else "")
    if proposal.state != ProposalState.DONE:
        messages.error(request, _("Only a finished proposal that is not yet accepted can be changed."))
        return redirect(back)
    board = explain.proposal_board(proposal=proposal, warnings=[])
    found = selectors.board_member(board=board, pk=person)
    if found is None or found[0].earlier:
        raise Http404
    member, group = found
    context = {
        "programme": proposal.programme,
        "proposal": proposal,
        "member": member,
        "group": group,
        "back": back,
    }
    return render(request, "grouping/proposals/move.html", context)


@login_required
@require_POST
def lock(request: AuthedHttpRequest, pk: int, number: int) -> HttpResponse:
    proposal = selectors.proposal_get_for_coordinator(user=request.user, programme_pk=pk, number=number)
    form = LockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whom to lock or unlock."))
        return _back(proposal, request=request)
    person, locked = form.cleaned_data["participant"], form.cleaned_data["locked"]
    try:
        row = proposal_lock(proposal=proposal, participant_id=person, locked=locked, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(proposal, request=request)
    name = selectors.participant_name(programme=proposal.programme, pk=person)
    group = _group_name(row, row.assignment.get(str(person), ""))
    if locked:
        text = _("%(name)s is locked in %(group)s: running again keeps them there.")
    else:
        text = _("%(name)s is no longer locked in %(group)s.")
    messages.success(request, text % {"name": name, "group": group})
    return _back(proposal, f"person-{person}", request=request)


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
    the page comes back with the groups as they are now. Above ``ONE_BY_ONE_MAX`` groups, one set of settings
    names and dates them all (``_accept_many``).
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
    if len(used) > ONE_BY_ONE_MAX:
        return _accept_many(request, proposal, used=used, sizes=sizes, today=today, taken=taken)
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
            errors = _accept_now(request, proposal, forms_, sizes)
            if not errors:
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


def _accept_many(
    request: AuthedHttpRequest,
    proposal: Proposal,
    *,
    used: list[dict[str, Any]],
    sizes: dict[str, int],
    today: date,
    taken: list[str],
) -> HttpResponse:
    """The accept page of many groups: settings for all new groups, rows that change single ones, and the list
    of groups they make; "Show" and "Change more groups" show the list again without accepting.

    The page posts a fingerprint of the groups it showed instead of their keys, and a few dozen fields in all.
    """
    programme = proposal.programme
    posted = request.method == "POST"
    data = request.POST if posted else None
    new_groups = [g for g in used if not g.get("group_id")]
    digest = groups_digest(g["key"] for g in used)
    changed = posted and request.POST.get(SHOWN_DIGEST_FIELD) != digest
    try:
        rows = int(request.POST.get(CHANGE_ROWS_FIELD, "")) if posted else CHANGE_ROWS
    except ValueError:
        rows = CHANGE_ROWS
    if posted and "more" in request.POST:
        rows += CHANGE_ROWS
    rows = max(CHANGE_ROWS, min(rows, CHANGE_ROWS_MAX))
    labels = selectors.time_slot_labels(programme=programme)
    counts: dict[str, int] = {}
    for spec in new_groups:
        counts[spec["slot"]] = counts.get(spec["slot"], 0) + 1
    order = {key: n for n, key in enumerate(labels)}
    slots = [(key, labels.get(key, key), counts[key]) for key in sorted(counts, key=lambda k: order.get(k, len(order)))]
    all_form = AcceptAllForm(data, slots=slots, today=today)
    changes = change_forms(rows, groups=[(g["key"], g["name"]) for g in new_groups], data=data)
    # Both are checked, so that every error is shown; without new groups (late joiners) there is nothing to set.
    settings_checked = all_form.is_valid() if posted and new_groups else posted
    changes_checked = change_forms_valid(changes) if posted and new_groups else posted
    settings_valid = settings_checked and changes_checked
    forms_ = accept_all_forms(new_groups, all_form=all_form, changes=changes, taken=taken, today=today)
    groups_valid = posted and accept_forms_valid(forms_)
    errors: list[str] = []
    status = 200
    if changed:
        errors = [_("The groups changed while you were filling in the form; check them again.")]
        status = 400
    elif posted and "more" not in request.POST and "show" not in request.POST:
        if settings_valid and groups_valid:
            errors = _accept_now(request, proposal, forms_, sizes)
            if not errors:
                return redirect("proposals:hub", programme.pk)
        status = 400
    warnings = [w.message for w in proposal_check(proposal=proposal)]
    plan = [
        {
            "spec": spec,
            "name": form.data[form.add_prefix("name")],
            "time": labels.get(spec["slot"], spec["slot"]),
            "weekday": WEEKDAY_NAMES.get(int(form.data[form.add_prefix("weekday")]), ""),
            "start_date": date.fromisoformat(form.data[form.add_prefix("start_date")]),
            "size": sizes.get(spec["key"], 0),
            "errors": [error for field in form for error in field.errors] if posted else [],
        }
        for spec, form in forms_
    ]
    summary = accept_many_summary(all_form, changes, forms_) if posted and new_groups else []
    context = {
        "programme": programme,
        "proposal": proposal,
        "many": True,
        "all_form": all_form,
        "changes": changes,
        "rows": rows,
        "rows_field": CHANGE_ROWS_FIELD,
        "more_rows": rows < CHANGE_ROWS_MAX,
        "plan": plan,
        "joining": [(g, sizes[g["key"]]) for g in used if g.get("group_id")],
        "digest": digest,
        "digest_field": SHOWN_DIGEST_FIELD,
        "warnings": warnings,
        "errors": [e for e in errors if e not in warnings],
        "summary": summary,
    }
    return render(request, "grouping/proposals/accept.html", context, status=status)


def _accept_now(
    request: AuthedHttpRequest,
    proposal: Proposal,
    forms_: list[tuple[dict[str, Any], AcceptGroupForm]],
    sizes: dict[str, int],
) -> list[str]:
    """Accept ``proposal`` with the valid forms' names, weekdays and dates; the refusal's messages, or none."""
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
        return list(exc.messages)
    messages.success(request, _accepted_text(groups, sizes=sizes, new=set(details)))
    return []


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
