"""The goals measured on any placement: the optimiser's, the greedy baseline's, or one a coordinator edited.

One definition of every goal lives here, so the figures a coordinator sees
after moving a person by hand are the same figures the solver minimised.
Every goal is a penalty (0 is perfect):

- ``industry``: in "mix" mode, members who share their industry with an earlier
  member of their group (a group of 12 with 12 industries scores 0); in "same"
  mode, the industries of a group beyond its first.
- ``experience``: members of an experience band beyond the band's fair share of
  a group (the band's people divided by the number of groups, rounded up).
- ``themes``: ranking points the group's theme plan leaves unmet (a person's
  first wish is worth 3, the second 2, the third 1).
- ``balance``: per time slot, the largest group's size minus the smallest's.
- ``together``: pairs who should share a group and do not.
- ``stability``: people placed elsewhere than in the previous proposal.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable

from kollega.grouping.optimiser.problem import GOALS, GroupSpec, GroupSummary, IndustryMode, Person, Problem


def band_quotas(problem: Problem, group_count: int) -> dict[str, int]:
    """Each experience band's fair share of one group."""
    counts = Counter(p.band for p in problem.people if p.band is not None)
    if group_count <= 0:
        return dict(counts.items())
    return {band: math.ceil(n / group_count) for band, n in counts.items()}


def theme_plan(support: dict[str, int], size: int, order: Iterable[str] = ()) -> list[str]:
    """The ``size`` themes with the most support, ties broken by the catalogue's order."""
    position = {theme: i for i, theme in enumerate(order)}
    ranked = sorted(
        (t for t, points in support.items() if points > 0), key=lambda t: (-support[t], position.get(t, 999), t)
    )
    return ranked[:size]


def theme_support(members: Iterable[Person]) -> dict[str, int]:
    support: dict[str, int] = defaultdict(int)
    for person in members:
        for theme, points in person.theme_points().items():
            support[theme] += points
    return dict(support)


def goal_values(problem: Problem, groups: list[GroupSpec], assignment: dict[int, str]) -> dict[str, int]:
    """Every goal's penalty for ``assignment`` (person → group key), with the groups' earlier members counted."""
    people = {p.key: p for p in problem.people}
    members: dict[str, list[Person]] = {g.key: [people[k] for k in g.members if k in people] for g in groups}
    for person_key, group_key in assignment.items():
        if group_key in members and person_key in people:
            members[group_key].append(people[person_key])
    open_groups = [g for g in groups if members[g.key]]
    values = dict.fromkeys(GOALS, 0)

    quotas = band_quotas(problem, len(open_groups))
    for g in open_groups:
        crowd = members[g.key]
        industries = Counter(p.industry for p in crowd if p.industry)
        if problem.industry_mode == IndustryMode.SAME:
            values["industry"] += max(0, len(industries) - 1)
        else:
            values["industry"] += sum(n - 1 for n in industries.values() if n > 1)
        bands = Counter(p.band for p in crowd if p.band is not None)
        values["experience"] += sum(max(0, n - quotas.get(band, n)) for band, n in bands.items())
        support = theme_support(crowd)
        plan = theme_plan(support, problem.themes_per_group, problem.rankable_themes)
        wanted = sum(sum(p.theme_points().values()) for p in crowd)
        values["themes"] += wanted - sum(support[t] for t in plan)

    sizes: dict[str, list[int]] = defaultdict(list)
    for g in open_groups:
        sizes[g.slot].append(len(members[g.key]))
    values["balance"] = sum(max(s) - min(s) for s in sizes.values() if len(s) > 1)

    where = {k: g.key for g in groups for k in g.members}
    where.update(assignment)
    values["together"] = sum(1 for a, b in problem.together if where.get(a) is None or where.get(a) != where.get(b))
    values["stability"] = sum(
        1 for person, before in problem.previous.items() if person in where and where[person] != before
    )
    return values


def weighted(problem: Problem, values: dict[str, int]) -> int:
    return sum(problem.weights.of(goal) * values.get(goal, 0) for goal in GOALS)


def summaries(problem: Problem, groups: list[GroupSpec], assignment: dict[int, str]) -> list[GroupSummary]:
    """Per group: members, industries, experience, theme support and the plan the support suggests."""
    people = {p.key: p for p in problem.people}
    keys: dict[str, list[int]] = {g.key: [k for k in g.members if k in people] for g in groups}
    for person_key, group_key in sorted(assignment.items()):
        if group_key in keys:
            keys[group_key].append(person_key)
    out = []
    for g in groups:
        crowd = [people[k] for k in keys[g.key]]
        support = theme_support(crowd)
        out.append(
            GroupSummary(
                key=g.key,
                slot=g.slot,
                name=g.name,
                members=keys[g.key],
                industries=dict(Counter(p.industry for p in crowd if p.industry).most_common()),
                bands=dict(Counter(p.band for p in crowd if p.band is not None)),
                theme_support=dict(sorted(support.items(), key=lambda kv: -kv[1])),
                plan=theme_plan(support, problem.themes_per_group, problem.rankable_themes),
            )
        )
    return out


def analytic_bound(
    problem: Problem, people: list[Person], group_count: int, fixed_members: list[Person] | None = None
) -> dict[str, int]:
    """Lower limits of each goal for ``people`` placed in ``group_count`` groups, whatever the placement.

    Valid for any placement, so also for a problem split in parts that are not
    exact: the industry limit counts how many of one industry cannot all get
    a group of their own; the theme limit counts the wishes no plan of its size
    can hold. The others are 0, except pairs that share no time slot.
    """
    everyone = list(people) + list(fixed_members or [])
    limits = dict.fromkeys(GOALS, 0)
    industries = Counter(p.industry for p in everyone if p.industry)
    if problem.industry_mode == IndustryMode.SAME:
        limits["industry"] = max(0, len(industries) - group_count)
    else:
        limits["industry"] = sum(max(0, n - group_count) for n in industries.values())
    for person in everyone:
        points = sorted(person.theme_points().values(), reverse=True)
        limits["themes"] += sum(points[problem.themes_per_group :])
    keys = {p.key: p for p in everyone}
    limits["together"] = sum(
        1 for a, b in problem.together if a in keys and b in keys and not (keys[a].slots & keys[b].slots)
    )
    return limits
