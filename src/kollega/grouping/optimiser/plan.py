"""Before any person is placed: how many groups each slot needs, and a greedy placement.

People who agreed to the same set of slots are interchangeable as far as
the hard rules on slots and sizes go, so the number of groups and how many
of each kind of person go to each slot is a tiny integer problem
(``slot_plan``). It decides the least number of groups the size rules allow,
or shows that no number works.

``greedy`` is the simple method the optimiser must never do worse than: it
follows the slot plan and gives each person, hardest to place first, the
emptiest group that may take them, preferring a group without their
industry. It is also the solver's starting point.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from kollega.grouping.optimiser.problem import Conflict, GroupSpec, Person, Problem, Rule


@dataclass
class SlotPlan:
    groups: list[GroupSpec]  # every group of the run, earlier members included
    quota: dict[tuple[frozenset[str], str], int]  # (slot set, slot) → people of that set to place in that slot
    left_out: int = 0  # people the plan could not place (only when relaxed)
    conflicts: list[Conflict] = field(default_factory=list)


def opened_key(slot: str, n: int) -> str:
    return f"{slot}#{n}"


def free_people(problem: Problem, groups: list[GroupSpec]) -> list[Person]:
    """People the run places: not already members of a group, not locked."""
    taken = {k for g in groups for k in g.members}
    return [p for p in problem.people if p.key not in taken and p.key not in problem.locks]


def slot_plan(problem: Problem, relaxed: bool = False) -> SlotPlan:
    """The groups per slot and how many of each kind of person each slot takes.

    Without stored groups, each slot gets the least number of groups
    (``k``) whose sizes can hold its people within the bounds, counting the
    people locked into a slot's groups; with stored groups, each group's room
    is its maximum less its earlier members. ``relaxed`` lets people stay
    unplaced (fewest possible) instead of failing, for the nearest proposal.
    """
    m = cp_model.CpModel()
    given = bool(problem.groups)
    kinds: Counter[frozenset[str]] = Counter()
    for person in free_people(problem, problem.groups):
        usable = frozenset(s for s in person.slots if s in problem.slots)
        if given:
            usable = frozenset(s for s in usable if any(g.slot == s for g in problem.groups))
        if usable:
            kinds[usable] += 1
    locked_per_slot: Counter[str] = Counter()
    lock_index: dict[str, int] = defaultdict(int)
    slot_of_group = {g.key: g.slot for g in problem.groups}
    for group_key in problem.locks.values():
        slot = slot_of_group.get(group_key) or group_key.split("#")[0]
        locked_per_slot[slot] += 1
        if not given and "#" in group_key:
            lock_index[slot] = max(lock_index[slot], int(group_key.split("#")[1] or 0))

    n: dict[tuple[frozenset[str], str], cp_model.IntVar] = {}
    placed_terms = []
    for kind, count in kinds.items():
        for slot in sorted(kind):
            n[kind, slot] = m.new_int_var(0, count, f"n[{sorted(kind)},{slot}]")
        total = sum(n[kind, s] for s in kind)
        if relaxed:
            m.add(total <= count)
            placed_terms.append(total)
        else:
            m.add(total == count)

    k: dict[str, cp_model.IntVar] = {}
    loads: dict[str, cp_model.LinearExprT] = {}
    everyone = len(problem.people)
    for slot in problem.slots:
        loads[slot] = load = sum((n[kind, slot] for kind in kinds if slot in kind), start=0) + locked_per_slot[slot]
        if given:
            slot_groups = [g for g in problem.groups if g.slot == slot]
            room = sum(max(0, problem.size_max - len(g.members)) for g in slot_groups)
            need = sum(max(0, problem.size_min - len(g.members)) for g in slot_groups)
            m.add(load <= room)
            if not relaxed:
                m.add(load >= need)
        else:
            lowest = max(lock_index[slot], problem.min_groups.get(slot, 0))
            k[slot] = m.new_int_var(
                lowest, max(lowest, math.ceil(everyone / max(1, problem.size_min)) + 1), f"k[{slot}]"
            )
            m.add(load >= problem.size_min * k[slot])
            m.add(load <= problem.size_max * k[slot])

    big = everyone + 1
    objective: cp_model.LinearExprT = 0
    if relaxed:
        objective = -big * sum(placed_terms, start=0)
    if not given:
        objective = big * objective + sum(k.values(), start=0)
    m.minimize(objective)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 10.0
    status = solver.solve(m)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return SlotPlan(groups=[], quota={}, conflicts=capacity_conflicts(problem))
    if not given and len(k) > 1:
        # Among the plans with as few groups (and as many placed), prefer even sizes across
        # slots: each slot's load as close to its groups' share of everyone as whole people allow.
        groups_total = sum(int(solver.value(v)) for v in k.values())
        people_total = sum(int(solver.value(t)) for t in placed_terms) if relaxed else None
        m.add(sum(k.values(), start=0) == groups_total)
        if relaxed:
            m.add(sum(placed_terms, start=0) == people_total)
        placed_all = sum(int(solver.value(v)) for v in n.values()) + sum(locked_per_slot.values())
        spread = []
        for slot in problem.slots:
            d = m.new_int_var(0, placed_all * max(1, groups_total) * 2, f"d[{slot}]")
            m.add_abs_equality(d, groups_total * loads[slot] - placed_all * k[slot])
            spread.append(d)
        m.minimize(sum(spread))
        for var in list(k.values()) + list(n.values()):
            m.add_hint(var, solver.value(var))
        status = solver.solve(m)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):  # pragma: no cover - the hint is feasible
            return SlotPlan(groups=[], quota={}, conflicts=capacity_conflicts(problem))
    quota = {key: int(solver.value(var)) for key, var in n.items()}
    placed = sum(quota.values())
    groups = list(problem.groups)
    if not given:
        groups = [
            GroupSpec(key=opened_key(slot, i + 1), slot=slot)
            for slot in problem.slots
            for i in range(solver.value(k[slot]))
        ]
    return SlotPlan(groups=groups, quota=quota, left_out=sum(kinds.values()) - placed)


def capacity_conflicts(problem: Problem) -> list[Conflict]:
    """Which sets of slots have more (or, with stored groups, fewer) people than their groups allow.

    For every set of slots (all sets up to 10 slots; beyond that each slot and
    all together), the people who agreed only to slots in the set must fit in
    the set's groups. The smallest failing sets are named, with their people.
    """
    given = bool(problem.groups)
    slots = list(problem.slots)
    if len(slots) <= 10:
        sets = [frozenset(c) for r in range(1, len(slots) + 1) for c in itertools.combinations(slots, r)]
    else:
        sets = [frozenset([s]) for s in slots] + [frozenset(slots)]
    failing: list[Conflict] = []
    for chosen in sets:
        inside = [p for p in problem.people if p.slots & set(slots) and (p.slots & set(slots)) <= chosen]
        if given:
            groups = [g for g in problem.groups if g.slot in chosen]
            room = sum(problem.size_max for _ in groups)
            if len(inside) > room:
                failing.append(
                    Conflict(
                        rule=Rule.CAPACITY,
                        people=tuple(sorted(p.key for p in inside)),
                        groups=tuple(g.key for g in groups),
                        slots=tuple(sorted(chosen)),
                        detail={"people": len(inside), "room": room},
                    )
                )
            reachable = [p for p in problem.people if p.slots & chosen]
            need = problem.size_min * len(groups)
            if groups and len(reachable) < need:
                failing.append(
                    Conflict(
                        rule=Rule.TOO_FEW,
                        people=tuple(sorted(p.key for p in reachable)),
                        groups=tuple(g.key for g in groups),
                        slots=tuple(sorted(chosen)),
                        detail={"people": len(reachable), "need": need},
                    )
                )
        elif inside and len(chosen) == 1:
            # Without stored groups a slot fails only when no number of groups fits its people:
            # fewer than the smallest group, and nobody else can join them there.
            reachable = [p for p in problem.people if p.slots & chosen]
            if len(reachable) < problem.size_min:
                failing.append(
                    Conflict(
                        rule=Rule.SIZES,
                        people=tuple(sorted(p.key for p in inside)),
                        slots=tuple(sorted(chosen)),
                        detail={"people": len(reachable), "need": problem.size_min},
                    )
                )
    # Keep the smallest sets: a superset failing only because of a failing subset says nothing new.
    kept: list[Conflict] = []
    for conflict in sorted(failing, key=lambda c: len(c.slots)):
        if not any(c.rule == conflict.rule and set(c.slots) < set(conflict.slots) for c in kept):
            kept.append(conflict)
    if not kept:
        kept.append(
            Conflict(
                rule=Rule.SIZES,
                people=tuple(sorted(p.key for p in problem.people)),
                detail={"min": problem.size_min, "max": problem.size_max, "people": len(problem.people)},
            )
        )
    return kept


def greedy(problem: Problem, plan: SlotPlan) -> dict[int, str]:
    """The baseline: follow the slot plan; each person (hardest to place first) gets the emptiest allowed group.

    Ties go to the group with the fewest of the person's industry, then of
    their experience band, then to the earlier group. Earlier members and
    locks are placed first and never moved.
    """
    size: dict[str, int] = {g.key: len(g.members) for g in plan.groups}
    industry: dict[str, Counter[str]] = {g.key: Counter() for g in plan.groups}
    band: dict[str, Counter[str]] = {g.key: Counter() for g in plan.groups}
    members: dict[str, set[int]] = {g.key: set(g.members) for g in plan.groups}
    by_slot: dict[str, list[GroupSpec]] = defaultdict(list)
    for g in plan.groups:
        by_slot[g.slot].append(g)
    people = {p.key: p for p in problem.people}
    apart: dict[int, set[int]] = defaultdict(set)
    for a, b in problem.apart:
        apart[a].add(b)
        apart[b].add(a)

    def put(person: Person, group_key: str) -> None:
        size[group_key] += 1
        members[group_key].add(person.key)
        if person.industry:
            industry[group_key][person.industry] += 1
        if person.band:
            band[group_key][person.band] += 1

    for g in plan.groups:
        for k in g.members:
            if k in people:
                size[g.key] -= 1
                members[g.key].discard(k)
                put(people[k], g.key)
    assignment: dict[int, str] = {}
    for person_key, group_key in problem.locks.items():
        if group_key in size and person_key in people:
            put(people[person_key], group_key)
            assignment[person_key] = group_key

    quota = dict(plan.quota)
    index = {g.key: i for i, g in enumerate(plan.groups)}
    order = sorted(free_people(problem, problem.groups), key=lambda p: (len(p.slots), p.key))
    for person in order:
        kind = frozenset(s for s in person.slots if s in by_slot)
        slots = [s for s in sorted(kind) if quota.get((kind, s), 0) > 0]
        candidates = [
            g
            for s in slots
            for g in by_slot[s]
            if size[g.key] < problem.size_max and not (apart[person.key] & members[g.key])
        ]
        if not candidates:
            continue  # left out: the plan had no room, or every group holds someone they must be apart from
        best = min(
            candidates,
            key=lambda g: (
                size[g.key],
                industry[g.key][person.industry] if person.industry else 0,
                band[g.key][person.band] if person.band else 0,
                index[g.key],
            ),
        )
        quota[kind, best.slot] -= 1
        put(person, best.key)
        assignment[person.key] = best.key
    return assignment
