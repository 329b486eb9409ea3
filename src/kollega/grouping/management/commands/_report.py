"""A stored proposal as ``propose-groups`` prints it: names instead of ids, the status and conflicts in words.

The words are the groups pages' own (``grouping.explain``), so the terminal and the page say the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from kollega.core.models import Participant
from kollega.grouping import explain
from kollega.grouping.models import Proposal, ProposalState
from kollega.grouping.optimiser.problem import GOALS


@dataclass
class ReportGroup:
    key: str
    slot: str
    slot_label: str
    name: str
    members: list[int]
    names: list[str]


@dataclass
class Report:
    id: int
    number: int
    programme: str
    state: str
    status: str
    objective: int | None
    bound: int | None
    gap: float | None
    exact: bool
    parts: int
    wall_seconds: float | None
    industry_mode: str
    goals: dict[str, int]
    baseline_goals: dict[str, int]
    groups: list[ReportGroup]
    left_out: list[int]
    conflicts: list[dict[str, Any]]
    names: dict[int, str] = field(default_factory=dict)
    slot_labels: dict[str, str] = field(default_factory=dict)
    group_names: dict[str, str] = field(default_factory=dict)
    error: str = ""
    status_words: str = ""
    split_words: str = ""
    conflict_messages: list[str] = field(default_factory=list)

    def name(self, key: int) -> str:
        return self.names.get(key) or f"#{key}"

    def goal_rows(self) -> list[tuple[str, int, int | None]]:
        return [
            (explain.goal_label(goal, self.industry_mode), self.goals.get(goal, 0), self.baseline_goals.get(goal))
            for goal in GOALS
            if goal in self.goals
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "proposal": self.number,
            "id": self.id,
            "state": self.state,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "exact": self.exact,
            "parts": self.parts,
            "wall_seconds": self.wall_seconds,
            "goals": self.goals,
            "baseline_goals": self.baseline_goals,
            "groups": [{"key": g.key, "slot": g.slot, "name": g.name, "members": g.members} for g in self.groups],
            "left_out": self.left_out,
            "conflicts": [
                {**c, "message": message} for c, message in zip(self.conflicts, self.conflict_messages, strict=True)
            ],
            "error": self.error,
        }


def report_for(proposal: Proposal) -> Report:
    """What there is to say about ``proposal``, with everyone's name read once."""
    programme = proposal.programme
    members: dict[str, list[int]] = {g["key"]: [] for g in proposal.groups}
    for person, key in sorted(proposal.assignment.items(), key=lambda kv: int(kv[0])):
        members.setdefault(key, []).append(int(person))
    people = {int(k) for k in proposal.assignment} | set(proposal.left_out)
    people |= {int(k) for c in proposal.conflicts for k in c.get("people") or []}
    names = {
        p.pk: p.display_name
        for p in Participant.objects.filter(pk__in=people, programme=programme).select_related("user")
    }
    slot_labels = {s.key: s.label for s in programme.time_slots.all()}
    groups = [
        ReportGroup(
            key=g["key"],
            slot=g["slot"],
            slot_label=slot_labels.get(g["slot"], g["slot"]),
            name=g["name"],
            members=members.get(g["key"], []),
            names=[names.get(k) or f"#{k}" for k in members.get(g["key"], [])],
        )
        for g in proposal.groups
    ]
    return Report(
        id=proposal.pk,
        number=proposal.number,
        programme=programme.name,
        state=proposal.state,
        status=proposal.status,
        objective=proposal.objective,
        bound=proposal.bound,
        gap=proposal.gap,
        exact=proposal.exact,
        parts=proposal.parts,
        wall_seconds=proposal.wall_seconds,
        industry_mode=proposal.industry_mode,
        goals=dict(proposal.goals),
        baseline_goals=dict(proposal.baseline_goals),
        groups=groups,
        left_out=list(proposal.left_out),
        conflicts=list(proposal.conflicts),
        names=names,
        slot_labels=slot_labels,
        group_names={g["key"]: g["name"] for g in proposal.groups},
        error=proposal.error,
        status_words=_status_words(proposal),
        split_words=explain.split_text(proposal) if proposal.state == ProposalState.DONE else "",
        conflict_messages=explain.conflict_sentences(proposal=proposal),
    )


def _status_words(proposal: Proposal) -> str:
    if proposal.state == ProposalState.FAILED:
        return _("The optimiser failed.")
    if proposal.state in (ProposalState.QUEUED, ProposalState.RUNNING):
        return _("Not finished yet.")
    return explain.status_text(proposal)
