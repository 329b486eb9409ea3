"""Local search: move one person, or swap two, while that makes the proposal better.

It works on any complete placement (the bucket model's, a part's, greedy's)
and keeps every hard rule: agreed slots, size bounds, locks, earlier members
and must-not pairs. A change is kept when it lowers

    the weighted goals + FLOOR_PRICE × (each goal's excess over its floor)

where the floor is the greedy baseline's value of each goal (goals with
weight 0 have none). A change that would lift a goal above its floor, or
further above it, is never made. So the search works first at winning back
any goal worse than the simple method's, then at the weighted sum; when the
time runs out first, a goal can stay above its floor (the benchmark says so).

Every goal is counted as ``scoring.goal_values`` counts it (given the same
fair shares of experience), kept up
to date change by change, so a long search costs little per step. The order
is drawn from the problem's seed, and the search stops when a round finds
nothing or the time is up. The moves and swaps alone are repeatable; the
re-solves run CP-SAT within a time limit, so two runs may differ.
"""

from __future__ import annotations

import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from kollega.grouping.optimiser.model import Part, part_values, solve_part
from kollega.grouping.optimiser.problem import GOALS, GroupSpec, IndustryMode, Problem
from kollega.grouping.optimiser.scoring import band_quotas

#: What one unit of a goal above its floor costs: more than any gain elsewhere could be worth.
FLOOR_PRICE = 1_000
#: How many other groups are tried for each person in a pass (the best-fitting by theme wishes first).
CANDIDATES = 14
#: How many groups of one slot are re-solved together, and for how long at most.
NEIGHBOURHOOD = 3
RESHUFFLE_SECONDS = 0.3
#: At most this many re-solves between two rounds of moves and swaps.
RESHUFFLES = 12

IND, EXP, THM, BAL, TOG, STB = range(6)


@dataclass
class _Group:
    key: str
    slot: str
    members: set[int] = field(default_factory=set)
    movable: list[int] = field(default_factory=list)
    industries: Counter[str] = field(default_factory=Counter)
    bands: Counter[str] = field(default_factory=Counter)
    support: list[int] = field(default_factory=list)
    wanted: int = 0
    plan: tuple[int, ...] = ()
    unmet: int = 0  # the theme penalty now, kept up to date


class Search:
    """The placement and every goal's running total; ``run`` improves it in place."""

    def __init__(
        self,
        problem: Problem,
        groups: list[GroupSpec],
        assignment: dict[int, str],
        floor: dict[str, int] | None = None,
        quotas: dict[str, int] | None = None,
    ) -> None:
        self.problem = problem
        self.people = {p.key: p for p in problem.people}
        self.size = problem.themes_per_group
        themes = sorted({t for p in problem.people for t in p.theme_points()} | set(problem.rankable_themes))
        self.theme_index = {t: i for i, t in enumerate(themes)}
        self.points: dict[int, list[tuple[int, int]]] = {
            k: [(self.theme_index[t], pts) for t, pts in p.theme_points().items()] for k, p in self.people.items()
        }
        self.industry_of = {k: p.industry for k, p in self.people.items()}
        self.band_of = {k: p.band for k, p in self.people.items()}
        self.paired = {k for pair in problem.together for k in pair} | set(problem.previous)
        self.weights = [problem.weights.of(g) for g in GOALS]
        # A goal switched off (weight 0) has no floor: the coordinator said it does not count.
        self.floor = [(floor or {}).get(g, 10**12) if problem.weights.of(g) else 10**12 for g in GOALS]
        self.same = problem.industry_mode == IndustryMode.SAME
        fixed = {k for g in groups for k in g.members} | set(problem.locks)
        self.where: dict[int, str] = {k: g.key for g in groups for k in g.members if k in self.people}
        self.where.update({k: v for k, v in assignment.items() if k in self.people})
        self.groups: dict[str, _Group] = {}
        for spec in groups:
            self.groups[spec.key] = _Group(key=spec.key, slot=spec.slot, support=[0] * len(themes))
        for person_key, group_key in self.where.items():
            g = self.groups[group_key]
            self._add(g, person_key)
            if person_key not in fixed:
                g.movable.append(person_key)
        open_groups = sum(1 for g in self.groups.values() if g.members)
        self.quotas = quotas if quotas is not None else band_quotas(problem, open_groups)
        self.sizes: dict[str, Counter[int]] = defaultdict(Counter)
        for g in self.groups.values():
            if g.members:
                self.sizes[g.slot][len(g.members)] += 1
            g.plan = self._plan(g.support)
            g.unmet = self._unmet(g.support, g.wanted)
        self.by_slot: dict[str, list[_Group]] = defaultdict(list)
        for g in self.groups.values():
            if g.members:  # an empty group stays empty: opening it would change every group's fair share
                self.by_slot[g.slot].append(g)
        self.apart: dict[int, set[int]] = defaultdict(set)
        for a, b in problem.apart:
            self.apart[a].add(b)
            self.apart[b].add(a)
        self.partners: dict[int, list[int]] = defaultdict(list)
        for a, b in problem.together:
            self.partners[a].append(b)
            self.partners[b].append(a)
        self.totals = self._totals()

    # --- exact goal arithmetic -------------------------------------------------------------------

    def _add(self, g: _Group, person_key: int) -> None:
        person = self.people[person_key]
        g.members.add(person_key)
        if person.industry:
            g.industries[person.industry] += 1
        if person.band:
            g.bands[person.band] += 1
        for i, pts in self.points[person_key]:
            g.support[i] += pts
            g.wanted += pts

    def _remove(self, g: _Group, person_key: int) -> None:
        person = self.people[person_key]
        g.members.discard(person_key)
        if person.industry:
            g.industries[person.industry] -= 1
        if person.band:
            g.bands[person.band] -= 1
        for i, pts in self.points[person_key]:
            g.support[i] -= pts
            g.wanted -= pts

    def _plan(self, support: list[int]) -> tuple[int, ...]:
        ranked = sorted(range(len(support)), key=lambda i: -support[i])
        return tuple(sorted(i for i in ranked[: self.size] if support[i] > 0))

    def _unmet(self, support: list[int], wanted: int) -> int:
        return wanted - sum(sorted(support, reverse=True)[: self.size])

    def _industry(self, counts: Counter[str]) -> int:
        if self.same:
            return max(0, sum(1 for n in counts.values() if n > 0) - 1)
        return sum(n - 1 for n in counts.values() if n > 1)

    def _experience(self, counts: Counter[str]) -> int:
        return sum(max(0, n - self.quotas.get(b, n)) for b, n in counts.items())

    def _group_goals(self, g: _Group) -> tuple[int, int, int]:
        if not g.members:
            return 0, 0, 0
        return self._industry(g.industries), self._experience(g.bands), self._unmet(g.support, g.wanted)

    def _after(self, g: _Group, leaving: list[int], coming: list[int]) -> tuple[int, int, int]:
        """A group's industry, experience and theme penalties after some people leave and others come."""
        industries = Counter(g.industries)
        bands = Counter(g.bands)
        support = list(g.support)
        wanted = g.wanted
        for crowd, step in ((leaving, -1), (coming, 1)):
            for person_key in crowd:
                person = self.people[person_key]
                if person.industry:
                    industries[person.industry] += step
                if person.band:
                    bands[person.band] += step
                for i, pts in self.points[person_key]:
                    support[i] += step * pts
                    wanted += step * pts
        return self._industry(industries), self._experience(bands), self._unmet(support, wanted)

    def _balance(self, slot: str, changes: list[tuple[int, int]]) -> int:
        """A slot's largest group less its smallest after the groups of ``changes`` (size before, after) change."""
        counts = Counter(self.sizes[slot])
        for before, after in changes:
            counts[before] -= 1
            counts[after] += 1
        present = [n for n, c in counts.items() if c > 0]
        return max(present) - min(present) if len(present) > 1 else 0

    def _totals(self) -> list[int]:
        totals = [0] * 6
        for g in self.groups.values():
            ind, exp, thm = self._group_goals(g)
            totals[IND] += ind
            totals[EXP] += exp
            totals[THM] += thm
        totals[BAL] = sum(self._balance(slot, []) for slot in self.sizes)
        totals[TOG] = sum(
            1 for a, b in self.problem.together if self.where.get(a) is None or self.where.get(a) != self.where.get(b)
        )
        totals[STB] = sum(
            1 for k, before in self.problem.previous.items() if k in self.where and self.where[k] != before
        )
        return totals

    def _pairs_change(self, moves: dict[int, str]) -> tuple[int, int]:
        """The change in "together" and "stability" when the people in ``moves`` go to their new groups."""
        together = 0
        seen: set[tuple[int, int]] = set()
        for person in moves:
            for other in self.partners.get(person, ()):
                pair = (min(person, other), max(person, other))
                if pair in seen:
                    continue
                seen.add(pair)
                apart_before = self.where.get(person) != self.where.get(other)
                apart_after = moves.get(person, self.where.get(person)) != moves.get(other, self.where.get(other))
                together += int(apart_after) - int(apart_before)
        stability = 0
        for person, group_key in moves.items():
            earlier = self.problem.previous.get(person)
            if earlier is not None:
                stability += int(group_key != earlier) - int(self.where[person] != earlier)
        return together, stability

    def price(self, delta: list[int]) -> int | None:
        """What a change of the goals by ``delta`` costs, or None when it would lift a goal further above its floor.

        A goal above its floor (greedy's value) may only come down; each unit it comes down is worth
        ``FLOOR_PRICE`` more than its weight.
        """
        cost = 0
        for goal in range(6):
            change = delta[goal]
            if not change:
                continue
            now, floor = self.totals[goal], self.floor[goal]
            excess = max(0, now + change - floor) - max(0, now - floor)
            if excess > 0:
                return None
            cost += self.weights[goal] * change + FLOOR_PRICE * excess
        return cost

    # --- the changes -----------------------------------------------------------------------------

    def _delta(self, moves: dict[int, str]) -> list[int]:
        """Every goal's change when the people in ``moves`` go to their new groups (sizes and pairs unchecked)."""
        leaving: dict[str, list[int]] = defaultdict(list)
        coming: dict[str, list[int]] = defaultdict(list)
        for person, group_key in moves.items():
            leaving[self.where[person]].append(person)
            coming[group_key].append(person)
        delta = [0] * 6
        changes: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for key in set(leaving) | set(coming):
            g = self.groups[key]
            before = self._group_goals(g)
            after = self._after(g, leaving[key], coming[key])
            for goal in (IND, EXP, THM):
                delta[goal] += after[goal] - before[goal]
            size = len(g.members)
            new_size = size - len(leaving[key]) + len(coming[key])
            if new_size != size:
                changes[g.slot].append((size, new_size))
        for slot, sizes in changes.items():
            delta[BAL] += self._balance(slot, sizes) - self._balance(slot, [])
        delta[TOG], delta[STB] = self._pairs_change(moves)
        return delta

    def _one_for_one(self, g: _Group, leaving: int | None, coming: int | None) -> tuple[int, int, int]:
        """The change of a group's industry, experience and theme penalties when one leaves and/or one comes.

        The same figures as ``_after`` less ``_group_goals``, worked out from the counts alone, since a
        pass asks this hundreds of thousands of times.
        """
        if self.same:
            before = self._group_goals(g)
            after = self._after(g, [leaving] if leaving is not None else [], [coming] if coming is not None else [])
            return after[0] - before[0], after[1] - before[1], after[2] - before[2]
        d_ind = d_exp = 0
        out_ind = out_band = None
        if leaving is not None:
            out_ind, out_band = self.industry_of[leaving], self.band_of[leaving]
            if out_ind and g.industries[out_ind] >= 2:
                d_ind -= 1
            if out_band and g.bands[out_band] > self.quotas.get(out_band, 10**6):
                d_exp -= 1
        if coming is not None:
            in_ind, in_band = self.industry_of[coming], self.band_of[coming]
            if in_ind and g.industries[in_ind] - (1 if in_ind == out_ind else 0) >= 1:
                d_ind += 1
            if in_band and g.bands[in_band] - (1 if in_band == out_band else 0) >= self.quotas.get(in_band, 10**6):
                d_exp += 1
        support = list(g.support)
        wanted = g.wanted
        if leaving is not None:
            for i, pts in self.points[leaving]:
                support[i] -= pts
                wanted -= pts
        if coming is not None:
            for i, pts in self.points[coming]:
                support[i] += pts
                wanted += pts
        support.sort(reverse=True)
        return d_ind, d_exp, wanted - sum(support[: self.size]) - g.unmet

    def _move_delta(self, a: int, source: _Group, target: _Group) -> list[int] | None:
        p = self.problem
        if len(source.members) - 1 < p.size_min or len(target.members) + 1 > p.size_max:
            return None
        if self.apart.get(a) and self.apart[a] & target.members:
            return None
        return self._delta({a: target.key})

    def _swap_delta(self, a: int, source: _Group, b: int, target: _Group) -> list[int] | None:
        if self.apart.get(a) and self.apart[a] & (target.members - {b}):
            return None
        if self.apart.get(b) and self.apart[b] & (source.members - {a}):
            return None
        first = self._one_for_one(source, a, b)
        second = self._one_for_one(target, b, a)
        delta = [first[0] + second[0], first[1] + second[1], first[2] + second[2], 0, 0, 0]
        if a in self.paired or b in self.paired:
            delta[TOG], delta[STB] = self._pairs_change({a: target.key, b: source.key})
        return delta

    def _apply(self, moves: dict[int, str], delta: list[int]) -> None:
        touched: dict[str, int] = {}
        for person, group_key in moves.items():
            source = self.groups[self.where[person]]
            touched.setdefault(source.key, len(source.members))
            touched.setdefault(group_key, len(self.groups[group_key].members))
        for person, group_key in moves.items():
            source, target = self.groups[self.where[person]], self.groups[group_key]
            self._remove(source, person)
            source.movable.remove(person)
            self._add(target, person)
            target.movable.append(person)
            self.where[person] = group_key
        for key, before in touched.items():
            g = self.groups[key]
            self.sizes[g.slot][before] -= 1
            self.sizes[g.slot][len(g.members)] += 1
            g.plan = self._plan(g.support)
            g.unmet = self._unmet(g.support, g.wanted)
        for goal in range(6):
            self.totals[goal] += delta[goal]

    def _alike(self, a: int, b: int) -> bool:
        """Two people a swap would not change anything for: same industry, experience, wishes and no pairs."""
        if self.industry_of[a] != self.industry_of[b] or self.band_of[a] != self.band_of[b]:
            return False
        if self.points[a] != self.points[b]:
            return False
        return not (a in self.paired or b in self.paired or a in self.apart or b in self.apart)

    def _candidates(self, a: int, source: _Group, rng: random.Random) -> list[_Group]:
        person = self.people[a]
        points = dict(self.points[a])
        options = [g for slot in sorted(person.slots) for g in self.by_slot.get(slot, ()) if g is not source]
        if len(options) <= CANDIDATES:
            return options
        # Groups whose theme plan holds most of the person's wishes first, then at random.
        keyed = [(-sum(points.get(i, 0) for i in g.plan), rng.random(), g.key, g) for g in options]
        keyed.sort(key=lambda item: item[:3])
        return [g for *_, g in keyed[:CANDIDATES]]

    def run(self, seconds: float, seed: int = 0) -> dict[int, str]:
        """Improve until nothing helps or ``seconds`` are up; the placement of the movable people.

        Rounds of single moves and swaps alternate with re-solving a few groups of one slot together
        (``_reshuffle``), which can change a group's theme plan where no single move could.
        """
        deadline = time.perf_counter() + max(0.0, seconds)
        rng = random.Random(seed)
        order = sorted(k for g in self.groups.values() for k in g.movable)
        while time.perf_counter() < deadline:
            improved = self._pass(order, rng, deadline)
            tries = min(RESHUFFLES, max(1, sum(len(gs) for gs in self.by_slot.values()) // NEIGHBOURHOOD))
            for _ in range(tries):
                if time.perf_counter() >= deadline:
                    break
                improved |= self._reshuffle(rng, deadline)
            if not improved:
                break
        return {k: self.where[k] for g in self.groups.values() for k in g.movable}

    def _pass(self, order: list[int], rng: random.Random, deadline: float) -> bool:
        """One round of the best move or swap for each person in turn; whether anything changed."""
        improved = False
        rng.shuffle(order)
        for a in order:
            if time.perf_counter() >= deadline:
                break
            source = self.groups[self.where[a]]
            best: tuple[int, dict[int, str], list[int]] | None = None
            for target in self._candidates(a, source, rng):
                delta = self._move_delta(a, source, target)
                cost = self.price(delta) if delta is not None else None
                if cost is not None and delta is not None and cost < 0 and (best is None or cost < best[0]):
                    best = (cost, {a: target.key}, delta)
                for b in target.movable:
                    if source.slot not in self.people[b].slots or self._alike(a, b):
                        continue
                    delta = self._swap_delta(a, source, b, target)
                    if delta is None:
                        continue
                    cost = self.price(delta)
                    if cost is not None and cost < 0 and (best is None or cost < best[0]):
                        best = (cost, {a: target.key, b: source.key}, delta)
            if best is not None:
                self._apply(best[1], best[2])
                improved = True
        return improved

    def _reshuffle(self, rng: random.Random, deadline: float) -> bool:
        """Re-solve the members of a few groups of one slot exactly (CP-SAT); keep the answer if it is better."""
        slots = sorted(slot for slot, gs in self.by_slot.items() if len(gs) > 1)
        if not slots:
            return False
        slot = rng.choices(slots, [len(self.by_slot[s]) for s in slots])[0]
        chosen = rng.sample(self.by_slot[slot], min(NEIGHBOURHOOD, len(self.by_slot[slot])))
        movable = [k for g in chosen for k in g.movable]
        if not movable:
            return False
        fixed = {g.key: [k for k in g.members if k not in set(g.movable)] for g in chosen}
        part = Part(
            people=[self.people[k] for k in movable],
            groups=[GroupSpec(key=g.key, slot=g.slot, members=tuple(fixed[g.key])) for g in chosen],
            fixed={k: self.people[k] for keys in fixed.values() for k in keys},
            quotas=self.quotas,
            hint={k: self.where[k] for k in movable},
        )
        # Goals at or above their floor may not grow within these groups.
        now = part_values(self.problem, part, part.hint)
        part.caps = {
            GOALS[i]: now[GOALS[i]] for i in (IND, EXP, THM) if self.weights[i] and self.totals[i] >= self.floor[i]
        }
        seconds = min(RESHUFFLE_SECONDS, deadline - time.perf_counter())
        if seconds <= 0.01:
            return False
        result = solve_part(self.problem, part, seconds)
        if not result.solved:
            return False
        moves = {k: g for k, g in result.assignment.items() if self.where.get(k) != g}
        if not moves:
            return False
        delta = self._delta(moves)
        cost = self.price(delta)
        if cost is None or cost >= 0:
            return False
        self._apply(moves, delta)
        return True

    def goals(self) -> dict[str, int]:
        return dict(zip(GOALS, self.totals, strict=True))


def improve(
    problem: Problem,
    groups: list[GroupSpec],
    assignment: dict[int, str],
    seconds: float,
    floor: dict[str, int] | None = None,
    quotas: dict[str, int] | None = None,
) -> dict[int, str]:
    """``assignment`` improved by moves and swaps within ``seconds``; locked and earlier members stay put.

    ``floor`` (goal → value) is what no goal may end above unless it started above it; ``quotas`` are the
    experience bands' fair shares when ``problem`` is a cut of a larger one.
    """
    known = {g.key for g in groups}
    if not assignment or any(v not in known for v in assignment.values()):
        return assignment
    search = Search(problem, groups, assignment, floor, quotas)
    placed = search.run(seconds, seed=problem.seed)
    return {**assignment, **placed}
