"""Forming groups: proposals from the optimiser, moves, accepting, groups' facilitators, pair rules.

Everything goes through the grouping app's services, as the coordinator's
groups pages do, and is recorded in the audit log with the token's holder as
the actor. A proposal's words (its result, why people could not be placed)
are the pages' own (``grouping.explain``), in the language of the request.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from kollega.accounts.models import User
from kollega.api import grouping_schemas as g
from kollega.api import schemas as s
from kollega.api import selectors
from kollega.api.auth import request_user
from kollega.api.interview_schemas import WEEKDAYS
from kollega.core.models import Participant, Programme
from kollega.core.services import TransitionError
from kollega.grouping import explain, pairs
from kollega.grouping.facilitators import (
    FacilitatorClashError,
    facilitator_clashes,
    facilitators_for_group,
    group_facilitators_set,
    not_choosable_message,
)
from kollega.grouping.models import Group, GroupMembership, PairKind, PairRule, Proposal, ProposalState
from kollega.grouping.proposals import (
    GroupDetails,
    proposal_accept,
    proposal_check,
    proposal_create,
    proposal_goals,
    proposal_move,
    proposal_run,
)

router = Router(tags=["groups"])

#: The answers of accepting: a refusal carries the broken rules.
ACCEPT_ERRORS: dict[int, Any] = {**s.ERRORS, 409: g.AcceptRefusedOut}
FACILITATOR_ERRORS: dict[int, Any] = {**s.ERRORS, 409: g.ClashRefusedOut}


# --- permission-checked reads ---------------------------------------------------------


def proposal_get_for_api(*, user: User, pk: int) -> Proposal:
    """A proposal of a programme of an organisation ``user`` coordinates; 404 (or 403 for a facilitator) otherwise."""
    found = Proposal.objects.select_related("programme__organisation").filter(pk=pk).first()
    if found is None:
        raise Http404
    selectors.access_for_user(user=user).check(found.programme.organisation_id)
    return found


def group_get_for_api(*, user: User, pk: int) -> Group:
    found = (
        Group.objects.select_related("programme__organisation", "time_slot", "lead_facilitator", "co_facilitator")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    selectors.access_for_user(user=user).check(found.programme.organisation_id)
    return found


def pair_get_for_api(*, user: User, pk: int) -> PairRule:
    found = PairRule.objects.select_related("programme__organisation").filter(pk=pk).first()
    if found is None:
        raise Http404
    selectors.access_for_user(user=user).check(found.programme.organisation_id)
    return found


# --- how objects become JSON -------------------------------------------------------------


def _summary_fields(proposal: Proposal) -> dict[str, Any]:
    tz = proposal.programme.organisation.tz
    return {
        "id": proposal.pk,
        "number": proposal.number,
        "programme_id": proposal.programme_id,
        "state": proposal.state,
        "state_label": str(ProposalState(proposal.state).label),
        "status": proposal.status,
        "status_label": explain.status_short(proposal),
        "objective": proposal.objective,
        "bound": proposal.bound,
        "gap": proposal.gap,
        "exact": proposal.exact,
        "time_limit": proposal.time_limit,
        "created_at": s.local(proposal.created_at, tz),
        "finished_at": s.local(proposal.finished_at, tz),
    }


def _proposal_out(proposal: Proposal) -> g.ProposalOut:
    """The proposal as the proposal page shows it; while it can be edited, with the current goals and warnings."""
    tz = proposal.programme.organisation.tz
    editable = proposal.state == ProposalState.DONE
    warnings = proposal_check(proposal=proposal) if editable else []
    now = proposal_goals(proposal=proposal) if editable else dict(proposal.goals or {})
    assignment = {int(k): v for k, v in (proposal.assignment or {}).items()}
    solver = {int(k): v for k, v in (proposal.solver_assignment or {}).items()}
    locks = {int(k) for k in (proposal.locks or {})}
    left_out = [int(k) for k in proposal.left_out or [] if int(k) not in assignment]
    names = {
        p.pk: p.display_name
        for p in Participant.objects.filter(
            programme=proposal.programme, pk__in=[*assignment, *left_out]
        ).select_related("user")
    }
    stored_ids = [spec["group_id"] for spec in proposal.groups if spec.get("group_id")]
    earlier = dict(
        GroupMembership.objects.filter(group_id__in=stored_ids)
        .exclude(participant_id__in=list(assignment))
        .values_list("group_id")
        .annotate(n=Count("id"))
    )
    slot_labels = {slot.key: slot.label for slot in proposal.programme.time_slots.all()}
    groups = []
    for spec in proposal.groups:
        members = sorted((k for k, key in assignment.items() if key == spec["key"]), key=lambda k: names.get(k, ""))
        groups.append(
            g.ProposalGroupOut(
                key=spec["key"],
                slot=spec["slot"],
                slot_label=slot_labels.get(spec["slot"], spec["slot"]),
                name=spec["name"],
                group_id=spec.get("group_id"),
                size=len(members) + earlier.get(spec.get("group_id"), 0),
                members=[
                    g.ProposalMemberOut(
                        id=k,
                        name=names.get(k, ""),
                        locked=k in locks,
                        moved=bool(solver) and solver.get(k) != spec["key"],
                    )
                    for k in members
                ],
            )
        )
    conflicts = proposal.conflicts or []
    messages = explain.conflict_sentences(proposal=proposal)
    return g.ProposalOut(
        **_summary_fields(proposal),
        status_text=explain.status_text(proposal),
        parts=proposal.parts,
        split_text=explain.split_text(proposal) if proposal.status else "",
        wall_seconds=proposal.wall_seconds,
        weights=dict(proposal.weights or {}),
        industry_mode=proposal.industry_mode,
        late_joiners=proposal.late_joiners,
        previous_id=proposal.previous_id,
        started_at=s.local(proposal.started_at, tz),
        accepted_at=s.local(proposal.accepted_at, tz),
        error=_("The optimiser stopped with an error; try again.") if proposal.state == ProposalState.FAILED else "",
        goals=now,
        optimiser_goals=dict(proposal.goals or {}),
        baseline_goals=dict(proposal.baseline_goals or {}),
        goal_rows=[
            g.GoalOut(
                goal=row["goal"],
                label=row["label"],
                weight=row["weight"],
                now=row["now"],
                optimiser=row["optimiser"],
                baseline=row["baseline"],
            )
            for row in explain.goal_rows(proposal=proposal, now=now if proposal.status else None)
        ],
        groups=groups,
        left_out=[g.ParticipantRef(id=k, name=names.get(k, "")) for k in left_out],
        conflicts=[g.conflict_out(c, m) for c, m in zip(conflicts, messages, strict=True)],
        warnings=[_warning_out(w) for w in warnings],
    )


def _warning_out(warning: Any) -> g.WarningOut:
    return g.WarningOut(code=warning.code, message=warning.message, group=warning.group, people=list(warning.people))


def _group_out(group: Group, *, key: str | None = None) -> g.GroupOut:
    members = list(GroupMembership.objects.filter(group=group).order_by("id").values_list("participant_id", flat=True))
    clashes = [
        clash.message()
        for person in (group.lead_facilitator, group.co_facilitator)
        if person is not None
        for clash in facilitator_clashes(group=group, user=person)
    ]
    return g.GroupOut(
        id=group.pk,
        programme_id=group.programme_id,
        key=key,
        name=group.name,
        time_slot=group.time_slot.key,
        weekday=WEEKDAYS[group.weekday],  # type: ignore[arg-type]
        start_date=group.start_date,
        size=len(members),
        members=members,
        lead_facilitator=s.person(group.lead_facilitator),
        co_facilitator=s.person(group.co_facilitator),
        clashes=clashes,
    )


def _pair_out(rule: PairRule, names: dict[int, str]) -> g.PairOut:
    return g.PairOut(
        id=rule.pk,
        programme_id=rule.programme_id,
        first=g.ParticipantRef(id=rule.first_id, name=names.get(rule.first_id, "")),
        second=g.ParticipantRef(id=rule.second_id, name=names.get(rule.second_id, "")),
        kind=rule.kind,  # type: ignore[arg-type]
        kind_label=str(PairKind(rule.kind).label),
        note=rule.note,
        created_at=s.local(rule.created_at, rule.programme.organisation.tz),  # type: ignore[arg-type]
    )


def _names(programme: Programme, ids: list[int]) -> dict[int, str]:
    return {
        p.pk: p.display_name for p in Participant.objects.filter(programme=programme, pk__in=ids).select_related("user")
    }


def _not_editable(error: ValidationError) -> TransitionError:
    return TransitionError(" ".join(error.messages), code="not_editable")


# --- proposals ---------------------------------------------------------------------------


@router.post(
    "/programmes/{programme_id}/proposals",
    response={201: g.ProposalOut, 202: g.ProposalOut, **s.ERRORS},
    summary="Propose groups",
)
def proposal_create_endpoint(
    request: HttpRequest, programme_id: int, payload: g.ProposalCreateIn
) -> Status[g.ProposalOut]:
    """Ask the optimiser to place the programme's accepted applicants who are in no group yet.

    With `wait: true` the optimiser runs during the request (for up to `time_limit` seconds) and the answer
    (201) is the finished proposal. Otherwise it runs as a background job: the answer (202) is the queued
    proposal; read `GET /proposals/{id}` until `state` is `done` (or `failed`).
    """
    user = request_user(request)
    programme = selectors.programme_get_for_api(user=user, pk=programme_id)
    try:
        proposal = proposal_create(
            programme=programme,
            actor=user,
            time_limit=payload.time_limit,
            weights=payload.weights,
            industry_mode=payload.industry_mode,
            late_joiners=payload.late_joiners,
            run=not payload.wait,
        )
    except ValidationError as error:
        raise _request_errors(error) from None
    if payload.wait:
        proposal = proposal_run(proposal_id=proposal.pk)
        return Status(201, _proposal_out(proposal_get_for_api(user=user, pk=proposal.pk)))
    return Status(202, _proposal_out(proposal))


def _request_errors(error: ValidationError) -> ValidationError:
    """The service names a weight's error ``weight_<goal>``; the caller sent ``weights.<goal>``."""
    if not hasattr(error, "error_dict"):
        return error
    renamed: dict[str, list[str]] = {}
    for field, messages in error.message_dict.items():
        name = f"weights.{field.removeprefix('weight_')}" if field.startswith("weight_") else field
        renamed.setdefault(name, []).extend(messages)
    return ValidationError(renamed)


@router.get(
    "/programmes/{programme_id}/proposals",
    response={200: list[g.ProposalSummaryOut], **s.ERRORS},
    summary="List proposals",
)
def proposal_list(request: HttpRequest, programme_id: int) -> list[g.ProposalSummaryOut]:
    """The programme's proposals, the newest first, with their state and result."""
    programme = selectors.programme_get_for_api(user=request_user(request), pk=programme_id)
    rows = list(Proposal.objects.filter(programme=programme).order_by("-number"))
    for row in rows:
        row.programme = programme
    return [g.ProposalSummaryOut(**_summary_fields(row)) for row in rows]


@router.get("/proposals/{proposal_id}", response={200: g.ProposalOut, **s.ERRORS}, summary="Read a proposal")
def proposal_read(request: HttpRequest, proposal_id: int) -> g.ProposalOut:
    """The proposal with its result, goals, groups and members, the people left out and why, and the warnings
    about hard rules its current placement breaks."""
    return _proposal_out(proposal_get_for_api(user=request_user(request), pk=proposal_id))


@router.post("/proposals/{proposal_id}/moves", response={200: g.ProposalOut, **s.REFUSED}, summary="Move a person")
def proposal_move_endpoint(request: HttpRequest, proposal_id: int, payload: g.MoveIn) -> g.ProposalOut:
    """Move one person to another group of the proposal. The move is made even when it breaks a hard rule
    (a group too big, a time the person did not agree to): the answer's `warnings` say so, and such a
    proposal cannot be accepted until it is put right. A finished proposal only (409 `not_editable`)."""
    user = request_user(request)
    proposal = proposal_get_for_api(user=user, pk=proposal_id)
    try:
        proposal = proposal_move(
            proposal=proposal, participant_id=payload.participant, group_key=payload.group, actor=user
        )
    except ValidationError as error:
        code = getattr(error, "code", None)
        if code == "unknown_person":
            raise ValidationError({"participant": error.messages}) from None
        if code == "unknown_group":
            raise ValidationError({"group": error.messages}) from None
        raise _not_editable(error) from None
    return _proposal_out(proposal_get_for_api(user=user, pk=proposal.pk))


@router.post(
    "/proposals/{proposal_id}/accept", response={201: g.AcceptedOut, **ACCEPT_ERRORS}, summary="Accept a proposal"
)
def proposal_accept_endpoint(
    request: HttpRequest, proposal_id: int, payload: g.AcceptIn
) -> Status[g.AcceptedOut] | Status[g.AcceptRefusedOut]:
    """Create the proposal's groups and memberships; everyone placed moves to "in group". All or nothing.

    Give every new group that has members a `name` and a first meeting (`start_date`; `weekday` is that
    date's weekday when left out). Refused with 409 and nothing written: `rules` while a hard rule is broken
    (`warnings` lists them), `changed` when someone is no longer waiting for a group, `not_editable` when
    the proposal is not a finished one.
    """
    user = request_user(request)
    proposal = proposal_get_for_api(user=user, pk=proposal_id)
    if proposal.state != ProposalState.DONE:
        raise TransitionError(
            _("Only a finished proposal that is not yet accepted can be changed."), code="not_editable"
        )
    broken = _broken_rules(proposal)
    if broken is not None:
        return broken
    details = _accept_details(proposal, payload)
    try:
        created = proposal_accept(proposal=proposal, details=details, actor=user)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            raise
        code = getattr(error, "code", None)
        if code is None:  # the rules' messages come as a list, which keeps no code
            broken = _broken_rules(proposal)
            if broken is not None:
                return broken
        if code == "details":
            raise ValidationError({"groups": error.messages}) from None
        detail = " ".join(error.messages)
        return Status(
            409,
            g.AcceptRefusedOut(detail=detail, code=code or "not_editable", errors={"__all__": error.messages}),
        )
    # The service answers with the groups it created (or, for late joiners, joined), by the proposal's group key.
    return Status(
        201,
        g.AcceptedOut(proposal_id=proposal.pk, groups=[_group_out(group, key=key) for key, group in created.items()]),
    )


def _broken_rules(proposal: Proposal) -> Status[g.AcceptRefusedOut] | None:
    """409 ``rules`` with the warnings, while the current placement breaks a hard rule."""
    warnings = [_warning_out(w) for w in proposal_check(proposal=proposal)]
    if not warnings:
        return None
    return Status(
        409,
        g.AcceptRefusedOut(
            detail=_("The proposal breaks rules that must hold; put them right and accept again."),
            code="rules",
            errors={"__all__": [w.message for w in warnings]},
            warnings=warnings,
        ),
    )


def _accept_details(proposal: Proposal, payload: g.AcceptIn) -> dict[str, GroupDetails]:
    """The name and first meeting of each new group, checked group by group so each error names its place."""
    specs = {spec["key"]: spec for spec in proposal.groups}
    used = set((proposal.assignment or {}).values())
    taken = {
        name.casefold() for name in Group.objects.filter(programme=proposal.programme).values_list("name", flat=True)
    }
    errors: dict[str, list[str]] = {}
    details: dict[str, GroupDetails] = {}
    seen_names: set[str] = set()
    for index, item in enumerate(payload.groups):
        where = f"groups.{index}"
        spec = specs.get(item.key)
        if spec is None:
            errors[f"{where}.key"] = [_("There is no such group in the proposal.")]
            continue
        if item.key in details:
            errors[f"{where}.key"] = [_("This group is given twice.")]
            continue
        name = item.name.strip()
        if not name:
            errors[f"{where}.name"] = [_("This field is required.")]
        elif name.casefold() in taken or name.casefold() in seen_names:
            errors[f"{where}.name"] = [_("This programme already has a group with that name.")]
        seen_names.add(name.casefold())
        weekday = item.start_date.weekday() if item.weekday is None else WEEKDAYS.index(item.weekday)
        if weekday != item.start_date.weekday():
            errors[f"{where}.start_date"] = [_("The first meeting's date does not fall on the group's weekday.")]
        details[item.key] = GroupDetails(name=name, weekday=weekday, start_date=item.start_date)
    missing = [
        spec["name"]
        for spec in proposal.groups
        if spec["key"] in used and not spec.get("group_id") and spec["key"] not in details
    ]
    if missing:
        errors["groups"] = [
            _("Give every new group a name and a first meeting date. Missing: %(groups)s.")
            % {"groups": ", ".join(missing)}
        ]
    if errors:
        raise ValidationError(errors)
    return details


# --- facilitators ------------------------------------------------------------------------


@router.put(
    "/groups/{group_id}/facilitators",
    response={200: g.GroupOut, **FACILITATOR_ERRORS},
    summary="Set a group's facilitators",
)
def group_facilitators(
    request: HttpRequest, group_id: int, payload: g.FacilitatorsIn
) -> g.GroupOut | Status[g.ClashRefusedOut]:
    """Make `lead` the group's lead facilitator and `co` its co-facilitator (user ids; null for none).

    Both must be staff of the programme's organisation or of a partner organisation that lends it
    facilitators, or already facilitate the group, and two different people. Any other id is refused with
    422 and the same words whether or not it is someone's. When a newly assigned person already has a
    group meeting at the same time, the answer is 409 `clash` with the `clashes` in words (a group of
    another organisation is named only by its weekday and time) and nothing changes; send
    `confirm_clash: true` to assign them anyway.
    """
    user = request_user(request)
    group = group_get_for_api(user=user, pk=group_id)
    # Ids are looked up only among the people who may be chosen: any other id, whether someone's or not,
    # gets the same answer, so that the API tells nothing about other accounts.
    allowed = facilitators_for_group(group=group)
    errors = {
        field: [not_choosable_message(pk)]
        for field, pk in (("lead", payload.lead), ("co", payload.co))
        if pk is not None and pk not in allowed
    }
    if errors:
        raise ValidationError(errors)
    try:
        group_facilitators_set(
            group=group,
            lead=allowed[payload.lead] if payload.lead is not None else None,
            co=allowed[payload.co] if payload.co is not None else None,
            actor=user,
            confirm_clash=payload.confirm_clash,
        )
    except FacilitatorClashError as error:
        messages = [clash.message() for clash in error.clashes]
        return Status(
            409,
            g.ClashRefusedOut(
                detail=_(
                    "A facilitator would be in two groups meeting at the same time; send confirm_clash "
                    "to assign them anyway."
                ),
                code="clash",
                errors={"__all__": messages},
                clashes=messages,
            ),
        )
    return _group_out(group_get_for_api(user=user, pk=group_id))


# --- pair rules ----------------------------------------------------------------------------


@router.get("/programmes/{programme_id}/pairs", response={200: list[g.PairOut], **s.ERRORS}, summary="List pair rules")
def pair_list(request: HttpRequest, programme_id: int) -> list[g.PairOut]:
    """The people to keep apart, then those to place together."""
    programme = selectors.programme_get_for_api(user=request_user(request), pk=programme_id)
    rules = list(PairRule.objects.filter(programme=programme).order_by("kind", "id"))
    names = _names(programme, [k for r in rules for k in (r.first_id, r.second_id)])
    for rule in rules:
        rule.programme = programme
    return [_pair_out(rule, names) for rule in rules]


@router.post("/programmes/{programme_id}/pairs", response={201: g.PairOut, **s.ERRORS}, summary="Add a pair rule")
def pair_create(request: HttpRequest, programme_id: int, payload: g.PairIn) -> Status[g.PairOut]:
    """Two of the programme's applicants who must not share a group (`apart`), or should (`together`).

    A pair has one rule: a second rule for the same two people, of either kind, is refused (422); remove
    the first one to change it. The optimiser honours the rules from the next proposal on.
    """
    user = request_user(request)
    programme = selectors.programme_get_for_api(user=user, pk=programme_id)
    found = {p.pk: p for p in Participant.objects.filter(programme=programme, pk__in=[payload.first, payload.second])}
    errors = {
        field: [_("This programme has no participant with this id.")]
        for field, pk in (("first", payload.first), ("second", payload.second))
        if pk not in found
    }
    if errors:
        raise ValidationError(errors)
    rule = pairs.pair_rule_create(
        programme=programme,
        first=found[payload.first],
        second=found[payload.second],
        kind=payload.kind,
        note=payload.note,
        actor=user,
    )
    rule.programme = programme
    return Status(201, _pair_out(rule, _names(programme, [rule.first_id, rule.second_id])))


@router.delete("/pairs/{pair_id}", response={204: None, **s.ERRORS}, summary="Remove a pair rule")
def pair_delete(request: HttpRequest, pair_id: int) -> Status[None]:
    """The optimiser no longer honours the rule from the next proposal on."""
    user = request_user(request)
    pairs.pair_rule_delete(rule=pair_get_for_api(user=user, pk=pair_id), actor=user)
    return Status(204, None)
