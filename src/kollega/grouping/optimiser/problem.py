"""What the optimiser is asked and what it answers, as plain data (no Django).

Everything here is keyed by the caller's own ids: a person's ``key`` is the
participant's id, a group's ``key`` is a string the caller chooses (a stored
group's id, or ``"<slot>#<n>"`` for a group the optimiser opens). The same
problem always gives the same answer for the same time limit and seed, apart
from what the time limit cuts short.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

#: The goals, in the order they are shown. Each is a penalty: lower is better, 0 is perfect.
GOALS = ("industry", "experience", "themes", "balance", "together", "stability")

#: Years in business → experience band. 0–2 years is new, 3–9 established, 10 or more long-time.
EXPERIENCE_BANDS = ((0, 2, "new"), (3, 9, "established"), (10, 10_000, "long-time"))

#: Points for a theme by its place in a person's ranking: first 3, second 2, third 1.
THEME_POINTS = (3, 2, 1)


def experience_band(years: int | None) -> str | None:
    """The band of ``years`` in business, or None when unknown."""
    if years is None:
        return None
    for low, high, name in EXPERIENCE_BANDS:
        if low <= years <= high:
            return name
    return None


class IndustryMode(StrEnum):
    MIX = "mix"  # each group a mix of industries (the default)
    SAME = "same"  # people of one industry together


@dataclass(frozen=True)
class Person:
    key: int
    name: str
    slots: frozenset[str]  # the time slots the person agreed to
    industry: str | None = None  # TOL 2008 main class letter
    years: int | None = None
    region: str = ""
    themes: tuple[str, ...] = ()  # ranked theme keys, most wanted first

    @property
    def band(self) -> str | None:
        return experience_band(self.years)

    def theme_points(self) -> dict[str, int]:
        return dict(zip(self.themes, THEME_POINTS, strict=False))


@dataclass(frozen=True)
class GroupSpec:
    """A group to fill. ``members`` are people already in it (late joiners' second run); they stay."""

    key: str
    slot: str
    name: str = ""
    members: tuple[int, ...] = ()


@dataclass(frozen=True)
class Weights:
    """How much each goal counts, 0–10. Zero switches a goal off."""

    industry: int = 3
    experience: int = 2
    themes: int = 2
    balance: int = 1
    together: int = 3
    stability: int = 4

    def of(self, goal: str) -> int:
        return int(getattr(self, goal))


@dataclass
class Problem:
    people: list[Person]
    slots: list[str]  # every slot of the programme, in display order
    groups: list[GroupSpec] = field(default_factory=list)  # empty: the optimiser opens groups per slot
    size_min: int = 6
    size_max: int = 12
    themes_per_group: int = 4  # rankable themes each group's plan holds (meetings after the fixed first)
    rankable_themes: tuple[str, ...] = ()
    locks: dict[int, str] = field(default_factory=dict)  # person → group key
    apart: list[tuple[int, int]] = field(default_factory=list)  # must not share a group
    together: list[tuple[int, int]] = field(default_factory=list)  # should share a group
    previous: dict[int, str] = field(default_factory=dict)  # person → group key of the previous proposal
    weights: Weights = field(default_factory=Weights)
    industry_mode: IndustryMode = IndustryMode.MIX
    time_limit: float = 30.0
    seed: int = 0
    workers: int = 2
    #: Parts larger than this are split further (not exactly); see ``solve``.
    part_limit: int = 360
    #: At least this many groups per slot (set by ``propose`` when must-not pairs need more groups).
    min_groups: dict[str, int] = field(default_factory=dict)

    def person(self, key: int) -> Person:
        return self._by_key()[key]

    def _by_key(self) -> dict[int, Person]:
        cached: dict[int, Person] | None = getattr(self, "_people_by_key", None)
        if cached is None or len(cached) != len(self.people):
            cached = {p.key: p for p in self.people}
            object.__setattr__(self, "_people_by_key", cached)
        return cached


class Rule(StrEnum):
    """The hard rules, as named in an explanation."""

    NO_SLOT = "no_slot"  # a person agreed to no slot that has a group
    CAPACITY = "capacity"  # more people than the groups of their slots can hold
    TOO_FEW = "too_few"  # fewer people than the groups must have at least
    LOCK_SLOT = "lock_slot"  # locked into a group at a time they did not agree to
    LOCK_UNKNOWN = "lock_unknown"  # locked into a group that is not in the proposal
    LOCK_SIZE = "lock_size"  # more people locked into a group than it may hold
    LOCK_APART = "lock_apart"  # two people who must be apart are locked into one group
    PAIR_CONTRADICTS = "pair_contradicts"  # a pair both must be apart and should be together
    PAIR_SELF = "pair_self"  # a pair of one person with themself
    PAIR_UNKNOWN = "pair_unknown"  # a pair naming someone not in the problem
    APART_CROWD = "apart_crowd"  # too many mutually apart people for the groups of their slot
    SIZES = "sizes"  # size bounds that no split of the people can meet
    TIME_LIMIT = "time_limit"  # a time limit of zero or less
    NO_PEOPLE = "no_people"


@dataclass(frozen=True)
class Conflict:
    """One reason the hard rules cannot all hold: the rule, the people and groups involved."""

    rule: Rule
    people: tuple[int, ...] = ()
    groups: tuple[str, ...] = ()
    slots: tuple[str, ...] = ()
    detail: dict[str, int] = field(default_factory=dict)


class Status(StrEnum):
    OPTIMAL = "optimal"  # proven best for the product's objective
    FEASIBLE = "feasible"  # a proposal, with a proven gap
    PARTIAL = "partial"  # the nearest proposal: some people are left out (named)
    INFEASIBLE = "infeasible"  # not even that; see the conflicts
    INVALID = "invalid"  # the input itself is wrong (a time limit of zero, no people)


@dataclass
class GroupSummary:
    key: str
    slot: str
    name: str
    members: list[int]
    industries: dict[str, int]
    bands: dict[str, int]
    theme_support: dict[str, int]  # theme → points from the members' rankings
    plan: list[str]  # the themes the optimiser chose for the group's meetings

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass
class Proposal:
    status: Status
    assignment: dict[int, str]  # person → group key
    groups: list[GroupSummary]
    goals: dict[str, int]  # goal → penalty
    objective: int  # the weighted sum of the goals
    bound: int  # a proven lower limit of the objective
    gap: float  # (objective − bound) / objective, 0 when proven optimal
    exact: bool  # False when the problem was split in a way that may lose the best answer
    parts: int
    wall_time: float
    left_out: list[int] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    baseline_goals: dict[str, int] = field(default_factory=dict)  # the greedy baseline's penalties
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)
