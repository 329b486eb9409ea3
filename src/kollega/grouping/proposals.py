"""Group proposals: from the programme's accepted applicants to the optimiser and back, then to real groups.

The optimiser (``grouping.optimiser``) knows nothing of Django. This module
builds its ``Problem`` from the database, runs it as a background job,
stores the answer on a ``Proposal``, checks every hand-made change against
the hard rules, and on acceptance writes the groups, memberships and theme
plans in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.models import Participant, Programme, Status, TimeSlot
from kollega.core.services import audit_log
from kollega.grouping import optimiser
from kollega.grouping.models import Group, PairKind, PairRule, Proposal, ProposalState
from kollega.grouping.optimiser import scoring
from kollega.grouping.optimiser.problem import GOALS, GroupSpec, IndustryMode, Person, Problem, Weights

logger = logging.getLogger(__name__)

TIME_LIMIT_MAX = 600
WEIGHT_MAX = 10
DEFAULT_TIME_LIMIT = 20
#: A new group's first meeting is today at the earliest and at most this far ahead.
FIRST_MEETING_WITHIN = timedelta(days=730)


def group_key_for(group: Group) -> str:
    return f"g{group.pk}"


@dataclass(frozen=True)
class Input:
    """What a proposal is made of, read from the database."""

    problem: Problem
    participants: dict[int, Participant]
    slots: dict[str, TimeSlot]


def candidates(*, programme: Programme, late_joiners: bool = False) -> list[Participant]:
    """Accepted applicants who are in no group yet: the people a proposal places."""
    return list(
        Participant.objects.filter(programme=programme, status=Status.ACCEPTED, membership__isnull=True)
        .select_related("user", "interview_record")
        .prefetch_related("time_slots", "interview_record__agreed_time_slots")
        .order_by("id")
    )


def agreed_slots(participant: Participant) -> frozenset[str]:
    """The time slots agreed at the interview; without a record, those given at registration."""
    record = getattr(participant, "interview_record", None)
    if record is not None:
        agreed = frozenset(s.key for s in record.agreed_time_slots.all())
        if agreed:
            return agreed
    return frozenset(s.key for s in participant.time_slots.all())


def problem_input(*, proposal: Proposal) -> Input:
    """The optimiser's problem for ``proposal``: its programme's people, slots, pairs, locks and weights."""
    programme = proposal.programme
    slots = {s.key: s for s in programme.time_slots.all().order_by("position", "start_time")}
    themes = list(programme.themes.all())
    rankable = tuple(t.key for t in themes if t.is_rankable)
    people_rows = candidates(programme=programme)
    groups: list[GroupSpec] = []
    if proposal.late_joiners:
        for group in (
            Group.objects.filter(programme=programme).select_related("time_slot").prefetch_related("memberships")
        ):
            groups.append(
                GroupSpec(
                    key=group_key_for(group),
                    slot=group.time_slot.key,
                    name=group.name,
                    members=tuple(m.participant_id for m in group.memberships.all()),
                )
            )
        members = {k for g in groups for k in g.members}
        for row in Participant.objects.filter(pk__in=members).prefetch_related(
            "time_slots", "interview_record__agreed_time_slots"
        ):
            people_rows.append(row)
    participants = {p.pk: p for p in people_rows}
    people = [
        Person(
            key=p.pk,
            name=p.display_name,
            slots=agreed_slots(p),
            industry=p.industry or None,
            years=p.years_in_business,
            region=p.region,
            themes=tuple(k for k in (p.theme_ranking or []) if k in rankable),
        )
        for p in people_rows
    ]
    pairs = PairRule.objects.filter(programme=programme, first__in=participants, second__in=participants)
    weights = Weights(**{g: int(proposal.weights.get(g, getattr(Weights(), g))) for g in GOALS})
    previous = {}
    if proposal.previous_id and not proposal.late_joiners:
        previous = {int(k): v for k, v in (proposal.previous.assignment or {}).items()}  # type: ignore[union-attr]
    problem = Problem(
        people=people,
        slots=list(slots),
        groups=groups,
        size_min=programme.group_size_min,
        size_max=programme.group_size_max,
        themes_per_group=max(0, programme.meeting_count - (1 if any(not t.is_rankable for t in themes) else 0)),
        rankable_themes=rankable,
        locks={int(k): v for k, v in (proposal.locks or {}).items() if int(k) in participants},
        apart=[(r.first_id, r.second_id) for r in pairs if r.kind == PairKind.APART],
        together=[(r.first_id, r.second_id) for r in pairs if r.kind == PairKind.TOGETHER],
        previous={k: v for k, v in previous.items() if k in participants},
        weights=weights,
        industry_mode=IndustryMode(proposal.industry_mode),
        time_limit=float(proposal.time_limit),
    )
    return Input(problem=problem, participants=participants, slots=slots)


def _clean_settings(time_limit: Any, weights: dict[str, Any] | None, industry_mode: str) -> tuple[int, dict[str, int]]:
    errors: dict[str, str] = {}
    try:
        limit = int(time_limit)
    except (TypeError, ValueError):
        limit = 0
    if not 1 <= limit <= TIME_LIMIT_MAX:
        errors["time_limit"] = _("The time limit must be a whole number of seconds from 1 to %(max)s.") % {
            "max": TIME_LIMIT_MAX
        }
    clean: dict[str, int] = {}
    for goal, value in (weights or {}).items():
        if goal not in GOALS:
            errors["weights"] = _("Unknown goal: %(goal)s.") % {"goal": goal}
            continue
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        if not 0 <= number <= WEIGHT_MAX:
            errors[f"weight_{goal}"] = _("A weight is a whole number from 0 to %(max)s.") % {"max": WEIGHT_MAX}
        clean[goal] = number
    if industry_mode not in IndustryMode.__members__.values():
        errors["industry_mode"] = _("Choose whether industries are mixed or kept together.")
    if errors:
        raise ValidationError(errors)
    return limit, {g: clean.get(g, Weights().of(g)) for g in GOALS}


@transaction.atomic
def proposal_create(
    *,
    programme: Programme,
    actor: User | None,
    time_limit: Any = DEFAULT_TIME_LIMIT,
    weights: dict[str, Any] | None = None,
    industry_mode: str | None = None,
    previous: Proposal | None = None,
    late_joiners: bool = False,
    run: bool = True,
) -> Proposal:
    """A new proposal, queued for the optimiser (run at once when ``run`` and jobs run immediately).

    Without ``industry_mode`` the programme's setting holds.
    """
    industry_mode = industry_mode or programme.grouping_industries
    limit, clean = _clean_settings(time_limit, weights, industry_mode)
    Programme.objects.select_for_update().filter(pk=programme.pk).first()
    number = (Proposal.objects.filter(programme=programme).aggregate(n=Max("number"))["n"] or 0) + 1
    proposal = Proposal.objects.create(
        programme=programme,
        number=number,
        previous=previous,
        created_by=actor,
        time_limit=limit,
        weights=clean,
        industry_mode=industry_mode,
        late_joiners=late_joiners,
        locks=dict(previous.locks) if previous is not None else {},
    )
    audit_log(
        action="grouping.proposal.created",
        subject=proposal,
        actor=actor,
        organisation=programme.organisation,
        data={"time_limit": limit, "weights": clean},
    )
    if run:
        from kollega.grouping.tasks import proposal_run_job

        pk = proposal.pk
        transaction.on_commit(lambda: proposal_run_job(pk))
    return proposal


def proposal_run(*, proposal_id: int) -> Proposal:
    """Run the optimiser for a queued proposal and store its answer (the background job's body)."""
    with transaction.atomic():
        proposal = (
            Proposal.objects.select_for_update(of=("self",)).select_related("programme", "previous").get(pk=proposal_id)
        )
        if proposal.state != ProposalState.QUEUED:
            return proposal
        proposal.state = ProposalState.RUNNING
        proposal.started_at = timezone.now()
        proposal.save(update_fields=["state", "started_at"])
    try:
        data = problem_input(proposal=proposal)
        answer = optimiser.propose(data.problem)
    except Exception as exc:  # the page must say it failed, not spin for ever
        logger.exception("Proposal %s failed", proposal_id)
        Proposal.objects.filter(pk=proposal_id).update(
            state=ProposalState.FAILED, finished_at=timezone.now(), error=f"{type(exc).__name__}: {exc}"
        )
        return Proposal.objects.get(pk=proposal_id)
    groups = [
        {"key": g.key, "slot": g.slot, "name": g.name or _default_name(g.key, data), "group_id": _group_id(g.key)}
        for g in answer.groups
    ]
    assignment = {str(k): v for k, v in answer.assignment.items() if k in data.participants}
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
        proposal.state = ProposalState.DONE
        proposal.finished_at = timezone.now()
        proposal.status = str(answer.status)
        proposal.objective = answer.objective
        proposal.bound = answer.bound
        proposal.gap = answer.gap
        proposal.exact = answer.exact
        proposal.parts = answer.parts
        proposal.wall_seconds = round(answer.wall_time, 2)
        proposal.goals = answer.goals
        proposal.baseline_goals = answer.baseline_goals
        proposal.conflicts = [_conflict_json(c) for c in answer.conflicts]
        proposal.groups = groups
        proposal.solver_assignment = assignment
        proposal.assignment = dict(assignment)
        proposal.left_out = list(answer.left_out)
        proposal.save()
    return proposal


def _group_id(key: str) -> int | None:
    return int(key[1:]) if key.startswith("g") and key[1:].isdigit() else None


def _default_name(key: str, data: Input) -> str:
    slot, _sep, n = key.partition("#")
    label = data.slots[slot].label if slot in data.slots else slot
    return f"{label} {n}"


def _conflict_json(conflict: optimiser.Conflict) -> dict[str, Any]:
    row = asdict(conflict)
    row["rule"] = str(conflict.rule)
    return row


# --- the coordinator's edits ------------------------------------------------


@dataclass(frozen=True)
class Warning:
    """A hard rule the current placement breaks, in words, with the people and group involved."""

    code: str
    message: str
    group: str = ""
    people: tuple[int, ...] = ()


def proposal_check(*, proposal: Proposal, data: Input | None = None) -> list[Warning]:
    """Every hard rule the proposal's current placement breaks (empty when it may be accepted).

    ``data`` is the proposal's ``problem_input`` when the caller has read it already.
    """
    data = data or problem_input(proposal=proposal)
    problem = data.problem
    names = {p.key: p.name for p in problem.people}
    slot_of = {g["key"]: g["slot"] for g in proposal.groups}
    label_of = {g["key"]: g["name"] for g in proposal.groups}
    assignment = {int(k): v for k, v in proposal.assignment.items() if int(k) in data.participants}
    found: list[Warning] = []
    sizes: dict[str, int] = {g["key"]: 0 for g in proposal.groups}
    for spec in problem.groups:
        sizes[spec.key] = sizes.get(spec.key, 0) + len(spec.members)
    for key in assignment.values():
        sizes[key] = sizes.get(key, 0) + 1
    for key, size in sizes.items():
        if size and size > problem.size_max:
            found.append(
                Warning(
                    "too_big",
                    _("%(group)s has %(n)s members; at most %(max)s are allowed.")
                    % {"group": label_of.get(key, key), "n": size, "max": problem.size_max},
                    group=key,
                )
            )
        elif 0 < size < problem.size_min:
            found.append(
                Warning(
                    "too_small",
                    _("%(group)s has %(n)s members; at least %(min)s are needed.")
                    % {"group": label_of.get(key, key), "n": size, "min": problem.size_min},
                    group=key,
                )
            )
    people = {p.key: p for p in problem.people}
    for person, key in sorted(assignment.items()):
        if slot_of.get(key) not in people[person].slots:
            found.append(
                Warning(
                    "wrong_slot",
                    _("%(name)s did not agree to the time of %(group)s.")
                    % {"name": names[person], "group": label_of.get(key, key)},
                    group=key,
                    people=(person,),
                )
            )
    # Where everyone is: the placement, and (late joiners' runs) the groups' earlier members.
    where = {k: spec.key for spec in problem.groups for k in spec.members}
    where.update(assignment)
    for a, b in problem.apart:
        if where.get(a) is not None and where.get(a) == where.get(b):
            found.append(
                Warning(
                    "apart",
                    _("%(first)s and %(second)s must not share a group, but both are in %(group)s.")
                    % {"first": names[a], "second": names[b], "group": label_of.get(where[a], "")},
                    group=where[a],
                    people=(a, b),
                )
            )
    missing = sorted(set(data.participants) - set(assignment) - {k for g in problem.groups for k in g.members})
    if missing:
        found.append(
            Warning(
                "unplaced",
                _("Not in any group: %(names)s.") % {"names": ", ".join(names[k] for k in missing)},
                people=tuple(missing),
            )
        )
    return found


def proposal_goals(*, proposal: Proposal, data: Input | None = None) -> dict[str, int]:
    """The goals measured on the current placement (after hand-made moves), as the optimiser measures them.

    In a late joiners' run the groups' earlier members count too, as they did for the optimiser.
    """
    data = data or problem_input(proposal=proposal)
    earlier = {spec.key: spec.members for spec in data.problem.groups}
    groups = [GroupSpec(key=g["key"], slot=g["slot"], members=earlier.get(g["key"], ())) for g in proposal.groups]
    assignment = {int(k): v for k, v in proposal.assignment.items() if int(k) in data.participants}
    return scoring.goal_values(data.problem, groups, assignment)


def _editable(proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.state != ProposalState.DONE:
        raise ValidationError(_("Only a finished proposal that is not yet accepted can be changed."), code="state")
    return locked


@transaction.atomic
def proposal_move(*, proposal: Proposal, participant_id: int, group_key: str, actor: User | None) -> Proposal:
    """Move one person to another group of the proposal (the rules are checked afterwards, not enforced)."""
    locked = _editable(proposal)
    if str(participant_id) not in locked.assignment and participant_id not in locked.left_out:
        raise ValidationError(_("This person is not in the proposal."), code="unknown_person")
    if group_key not in {g["key"] for g in locked.groups}:
        raise ValidationError(_("There is no such group in the proposal."), code="unknown_group")
    locked.assignment[str(participant_id)] = group_key
    if participant_id in locked.left_out:
        locked.left_out = [k for k in locked.left_out if k != participant_id]
    if str(participant_id) in locked.locks:
        locked.locks[str(participant_id)] = group_key
    locked.save(update_fields=["assignment", "left_out", "locks"])
    audit_log(
        action="grouping.proposal.moved",
        subject=locked,
        actor=actor,
        organisation=locked.programme.organisation,
        data={"participant": participant_id, "group": group_key},
    )
    return locked


@transaction.atomic
def proposal_lock(*, proposal: Proposal, participant_id: int, locked: bool, actor: User | None) -> Proposal:
    """Lock a person into their current group for re-runs, or unlock them."""
    row = _editable(proposal)
    key = row.assignment.get(str(participant_id))
    if key is None:
        raise ValidationError(_("Only a person placed in a group can be locked."), code="unplaced")
    if locked:
        row.locks[str(participant_id)] = key
    else:
        row.locks.pop(str(participant_id), None)
    row.save(update_fields=["locks"])
    return row


@transaction.atomic
def proposal_rerun(*, proposal: Proposal, actor: User | None, time_limit: Any = None) -> Proposal:
    """A new proposal from this one: the locks stay, and few changes from this placement is a goal."""
    row = _editable(proposal)
    return proposal_create(
        programme=row.programme,
        actor=actor,
        time_limit=time_limit or row.time_limit,
        weights=row.weights,
        industry_mode=row.industry_mode,
        previous=row,
        late_joiners=row.late_joiners,
    )


@dataclass(frozen=True)
class GroupDetails:
    """What a new group needs besides its members: a name, its weekday and its first meeting's date.

    Facilitators are chosen afterwards (``grouping.facilitators.group_facilitators_set``), with its checks.
    """

    name: str
    weekday: int
    start_date: date


@transaction.atomic
def proposal_accept(
    *, proposal: Proposal, details: dict[str, GroupDetails], actor: User | None, at: datetime | None = None
) -> dict[str, Group]:
    """Create the groups and memberships of the proposal and move everyone to "in group": all or nothing.

    Returns the groups by their key in the proposal (existing groups too, in a late joiners' run).

    Refused (nothing written) while any hard rule is broken, when a person is
    no longer an accepted applicant without a group, or when a group's
    details are missing or wrong.
    """
    from kollega.grouping.services import group_add_member, group_create
    from kollega.grouping.themes import theme_plan_build

    row = _editable(proposal)
    problems = proposal_check(proposal=row)
    if problems:
        raise ValidationError([ValidationError(w.message, code="rules") for w in problems])
    programme = row.programme
    slots = {s.key: s for s in programme.time_slots.all()}
    participants = {
        p.pk: p
        for p in Participant.objects.select_for_update().filter(
            programme=programme, pk__in=[int(k) for k in row.assignment]
        )
    }
    gone = [int(k) for k in row.assignment if int(k) not in participants]
    not_ready = [p for p in participants.values() if p.status != Status.ACCEPTED or hasattr(p, "membership")]
    if gone or not_ready:
        names = ", ".join(sorted({p.display_name for p in not_ready}))
        raise ValidationError(
            _("Some people are no longer waiting for a group (%(names)s). Run a new proposal.")
            % {"names": names or str(len(gone))},
            code="changed",
        )
    created: dict[str, Group] = {}
    new_keys: set[str] = set()
    for spec in row.groups:
        key = spec["key"]
        if not any(v == key for v in row.assignment.values()):
            continue
        if spec.get("group_id"):
            created[key] = Group.objects.get(pk=spec["group_id"], programme=programme)
            continue
        info = details.get(key)
        if info is None:
            raise ValidationError(_("Give every new group a name, a weekday and a first meeting date."), code="details")
        first_day = timezone.localtime(at).date() if at else timezone.localdate()
        if not first_day <= info.start_date <= first_day + FIRST_MEETING_WITHIN:
            raise ValidationError(
                _("A new group's first meeting must be between %(first)s and %(last)s.")
                % {"first": f"{first_day:%-d.%-m.%Y}", "last": f"{first_day + FIRST_MEETING_WITHIN:%-d.%-m.%Y}"},
                code="details",
            )
        new_keys.add(key)
        created[key] = group_create(
            programme=programme,
            name=info.name,
            time_slot=slots[spec["slot"]],
            weekday=info.weekday,
            start_date=info.start_date,
            actor=actor,
        )
    for person, key in sorted(row.assignment.items(), key=lambda kv: int(kv[0])):
        group_add_member(group=created[key], participant=participants[int(person)], actor=actor, at=at)
    for key, group in created.items():
        if key in new_keys:  # an existing group's plan (and meetings held) stay as they are
            theme_plan_build(group=group, keep_overrides=True)
    row.state = ProposalState.ACCEPTED
    row.accepted_at = at or timezone.now()
    row.accepted_by = actor
    row.save(update_fields=["state", "accepted_at", "accepted_by"])
    Proposal.objects.filter(programme=programme, state=ProposalState.DONE).exclude(pk=row.pk).update(
        state=ProposalState.REPLACED
    )
    audit_log(
        action="grouping.proposal.accepted",
        subject=row,
        actor=actor,
        organisation=programme.organisation,
        data={"groups": len(created), "people": len(row.assignment)},
    )
    return created
