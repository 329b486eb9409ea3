"""Schemas of issue 5's resources: group proposals, accepting them, groups' facilitators and pair rules.

The usual conventions of ``schemas.py`` hold: request bodies refuse fields they
do not know, texts cannot hold NUL characters, datetimes carry the
organisation's offset. Weekdays are ``mon`` … ``sun`` as in the interview
slots' patterns.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict, StringConstraints

from kollega.api.interview_schemas import Day, Id, Weekday
from kollega.api.recruitment_schemas import StorableText
from kollega.api.schemas import PersonRef

ProposalState = Literal["queued", "running", "done", "failed", "accepted", "replaced"]
ProposalStatus = Literal["", "optimal", "feasible", "partial", "infeasible", "invalid"]
IndustryMode = Literal["mix", "same"]
PairKind = Literal["apart", "together"]

#: A group's key in a proposal: ``<slot>#<n>`` for a new group, ``g<id>`` for a stored one.
GroupKey = Annotated[str, StringConstraints(min_length=1, max_length=60)]
GroupName = Annotated[StorableText, StringConstraints(max_length=100)]


# --- proposals --------------------------------------------------------------------------


class ProposalCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    time_limit: int = Field(20, description="How long the optimiser may search, 1–600 seconds.")
    weights: dict[str, int] = Field(
        default_factory=dict,
        description="How much each goal counts, 0–10 (0 switches it off): industry, experience, themes, balance, "
        "together, stability. A goal left out keeps its default.",
    )
    industry_mode: IndustryMode | None = Field(
        None, description="`mix` industries or keep the `same` industry together; the programme's setting if left out."
    )
    late_joiners: bool = Field(
        False, description="Place only the people waiting for a group, into the existing groups that have room."
    )
    wait: bool = Field(
        False,
        description="Run the optimiser during the request and answer with the result (201). Otherwise it runs as "
        "a background job and the answer (202) is the queued proposal: read it until `state` is `done`.",
    )


class ProposalMemberOut(Schema):
    id: int = Field(description="The participant's id.")
    name: str
    locked: bool = Field(description="Kept in this group when the optimiser runs again.")
    moved: bool = Field(description="Moved here by hand: the optimiser placed them elsewhere.")


class ProposalGroupOut(Schema):
    key: str = Field(description="The group's key in this proposal; moves and accepting name groups by it.")
    slot: str = Field(description="The key of the group's time slot.")
    slot_label: str
    name: str = Field(description="A suggested name; accepting sets the real one.")
    group_id: int | None = Field(description="An existing group's id (late joiners); null for a new group.")
    size: int = Field(description="Members, counting an existing group's earlier members.")
    members: list[ProposalMemberOut] = Field(description="The people this proposal places in the group.")


class ParticipantRef(Schema):
    id: int
    name: str


class ConflictOut(Schema):
    rule: str = Field(description="The hard rule that cannot hold: no_slot, capacity, too_few, lock_size, …")
    people: list[int]
    groups: list[str]
    slots: list[str]
    detail: dict[str, int]
    message: str = Field(description="The rule and the people involved, in words.")


class WarningOut(Schema):
    code: str = Field(description="too_big, too_small, wrong_slot, apart or unplaced.")
    message: str
    group: str = Field(description="The key of the group concerned, or empty.")
    people: list[int]


class GoalOut(Schema):
    goal: str
    label: str = Field(description="The goal's plain name.")
    weight: int
    now: int | None = Field(description="The score of the current placement, after moves by hand.")
    optimiser: int | None = Field(description="The score of the placement the optimiser proposed.")
    baseline: int | None = Field(description="The score of a simple placement method on the same people.")


class ProposalSummaryOut(Schema):
    id: int
    number: int = Field(description="The proposal's number within its programme.")
    programme_id: int
    state: ProposalState
    state_label: str
    status: ProposalStatus = Field(description="The optimiser's result; empty until it is done.")
    status_label: str = Field(description="The result in a few words.")
    objective: int | None = Field(description="The weighted sum of the goals' penalties: lower is better.")
    bound: int | None = Field(description="A proven lower limit of the objective.")
    gap: float | None = Field(description="(objective − bound) / objective; 0 when proven optimal.")
    exact: bool = Field(description="False when the problem was split in a way that may lose the best answer.")
    time_limit: int
    created_at: datetime
    finished_at: datetime | None


class ProposalOut(ProposalSummaryOut):
    status_text: str = Field(description="The result in a sentence.")
    parts: int
    split_text: str
    wall_seconds: float | None
    weights: dict[str, int]
    industry_mode: str
    late_joiners: bool
    previous_id: int | None
    started_at: datetime | None
    accepted_at: datetime | None
    error: str = Field(description="Why the run failed, when `state` is `failed`.")
    goals: dict[str, int] = Field(description="Each goal's penalty for the current placement (after moves).")
    optimiser_goals: dict[str, int] = Field(description="Each goal's penalty as the optimiser proposed.")
    baseline_goals: dict[str, int] = Field(description="Each goal's penalty with a simple placement method.")
    goal_rows: list[GoalOut]
    groups: list[ProposalGroupOut]
    left_out: list[ParticipantRef] = Field(description="People the proposal could not place; see `conflicts`.")
    conflicts: list[ConflictOut] = Field(description="Why not everyone could be placed.")
    warnings: list[WarningOut] = Field(
        description="The hard rules the current placement breaks; a proposal with warnings cannot be accepted."
    )


class MoveIn(Schema):
    model_config = ConfigDict(extra="forbid")

    participant: Id = Field(description="The participant's id.")
    group: GroupKey = Field(description="The key of a group of the proposal.")


class AcceptGroupIn(Schema):
    model_config = ConfigDict(extra="forbid")

    key: GroupKey = Field(description="The group's key in the proposal.")
    name: GroupName
    start_date: Day = Field(description="The first meeting's date.")
    weekday: Weekday | None = Field(None, description="The meeting day; the first meeting's weekday if left out.")


class AcceptIn(Schema):
    model_config = ConfigDict(extra="forbid")

    groups: list[AcceptGroupIn] = Field(
        default_factory=list, description="A name and a first meeting for every new group that has members."
    )


class GroupOut(Schema):
    id: int
    programme_id: int
    key: str | None = Field(None, description="The group's key in the accepted proposal.")
    name: str
    time_slot: str = Field(description="The key of the group's time slot.")
    weekday: Weekday
    start_date: date
    size: int
    members: list[int] = Field(description="The members' participant ids.")
    lead_facilitator: PersonRef | None
    co_facilitator: PersonRef | None
    clashes: list[str] = Field(
        default_factory=list, description="Other groups of its facilitators that meet at the same time, in words."
    )


class AcceptedOut(Schema):
    proposal_id: int
    groups: list[GroupOut] = Field(description="The groups created (and, for late joiners, those joined).")


class AcceptRefusedOut(Schema):
    """A proposal that breaks a hard rule is not accepted; nothing was written."""

    detail: str
    code: str = Field(description="`rules` (see `warnings`), `changed` or `not_editable`.")
    errors: dict[str, list[str]] = Field(default_factory=dict)
    warnings: list[WarningOut] = Field(default_factory=list)


# --- facilitators ------------------------------------------------------------------------


class FacilitatorsIn(Schema):
    model_config = ConfigDict(extra="forbid")

    lead: Id | None = Field(description="The lead facilitator's user id, or null for none.")
    co: Id | None = Field(description="The co-facilitator's user id, or null for none.")
    confirm_clash: bool = Field(
        False, description="Assign even when a new facilitator has another group meeting at the same time."
    )


class ClashRefusedOut(Schema):
    """A facilitator would be in two groups meeting at once; send `confirm_clash: true` to assign anyway."""

    detail: str
    code: str = Field(description="`clash`.")
    errors: dict[str, list[str]] = Field(default_factory=dict)
    clashes: list[str] = Field(default_factory=list)


# --- pair rules ----------------------------------------------------------------------------


class PairIn(Schema):
    model_config = ConfigDict(extra="forbid")

    first: Id = Field(description="A participant's id.")
    second: Id = Field(description="Another participant's id.")
    kind: PairKind = Field(description="`apart`: must not share a group; `together`: should share one.")
    note: Annotated[StorableText, StringConstraints(max_length=200)] = Field("", description="Why (for staff).")


class PairOut(Schema):
    id: int
    programme_id: int
    first: ParticipantRef
    second: ParticipantRef
    kind: PairKind
    kind_label: str
    note: str
    created_at: datetime


def conflict_out(conflict: dict[str, Any], message: str) -> ConflictOut:
    return ConflictOut(
        rule=str(conflict.get("rule", "")),
        people=[int(k) for k in conflict.get("people") or []],
        groups=[str(k) for k in conflict.get("groups") or []],
        slots=[str(k) for k in conflict.get("slots") or []],
        detail={str(k): int(v) for k, v in (conflict.get("detail") or {}).items()},
        message=message,
    )
