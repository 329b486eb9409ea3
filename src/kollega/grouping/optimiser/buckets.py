"""The bucket model: a strong lower bound and a good first answer for opened groups.

Every group of a slot ends up with a theme plan of ``themes_per_group``
themes, one of a few possible sets (15 when 4 of 6 are chosen). Call the
groups of one slot that share a plan a bucket. A person's theme penalty
depends only on their bucket's plan, and the least industry penalty a
bucket's ``m`` groups can have is, per industry, its people less ``m``
(never below 0); likewise for experience bands with their fair share.
So deciding only *how many groups each bucket has and who goes to which
bucket* is a small model whose optimum can be no worse than the best
placement: a proven lower bound for the product's own objective, however
the problem is split afterwards. Dealing each bucket's people round the
bucket's groups, sorted by industry, then gives groups that meet the
industry limit exactly and the others nearly.

People who are alike in every way the model looks at (agreed slots, theme
wishes, industry, experience band, and no pair, lock or earlier place)
are counted together, which keeps the model small for thousands of people.
"""

from __future__ import annotations

import itertools
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from kollega.grouping.optimiser.plan import SlotPlan, free_people, opened_key
from kollega.grouping.optimiser.problem import GOALS, IndustryMode, Person, Problem
from kollega.grouping.optimiser.scoring import band_quotas

#: Beyond this many possible plans the bucket model is not used (its bound would need them all).
MAX_PROFILES = 60


@dataclass
class BucketResult:
    assignment: dict[int, str]  # person → group key; empty when the model found nothing
    bound: int  # proven lower limit of the whole objective
    objective: int  # the bucket model's own value (≤ the true value of ``assignment``)
    optimal: bool
    seconds: float


def profiles(problem: Problem) -> list[frozenset[str]]:
    themes = sorted({t for p in problem.people for t in p.theme_points()} | set(problem.rankable_themes))
    size = min(problem.themes_per_group, len(themes))
    return [frozenset(c) for c in itertools.combinations(themes, size)] or [frozenset()]


def usable(problem: Problem) -> bool:
    """Whether the bucket model applies: groups opened by the optimiser, and few enough possible plans."""
    return not problem.groups and len(profiles(problem)) <= MAX_PROFILES


def solve_buckets(problem: Problem, plan: SlotPlan, locks: dict[int, str], seconds: float) -> BucketResult:
    started = time.perf_counter()
    people = {p.key: p for p in problem.people}
    plans = profiles(problem)
    k_per_slot = Counter(g.slot for g in plan.groups)
    quotas = band_quotas(problem, len(plan.groups))
    weights = problem.weights
    pinned: dict[str, list[Person]] = defaultdict(list)
    for person_key, group_key in locks.items():
        pinned[group_key].append(people[person_key])

    # Buckets: (slot, plan index, pinned group key or "").
    buckets: list[tuple[str, int, str]] = []
    for slot in problem.slots:
        if not k_per_slot[slot]:
            continue
        for c in range(len(plans)):
            buckets.append((slot, c, ""))
        for group_key in sorted(pinned):
            if group_key.split("#")[0] == slot:
                for c in range(len(plans)):
                    buckets.append((slot, c, group_key))

    special = {k for pair in problem.apart + problem.together for k in pair} | set(problem.previous)
    types: dict[tuple[object, ...], list[Person]] = defaultdict(list)
    for person in free_people(problem, plan.groups):
        if person.key in locks:
            continue
        slots = frozenset(s for s in person.slots if k_per_slot[s])
        if not slots:
            continue
        key: tuple[object, ...] = (
            slots,
            tuple(sorted(person.theme_points().items())),
            person.industry,
            person.band,
            person.key if person.key in special else None,
        )
        types[key].append(person)

    m = cp_model.CpModel()
    count: dict[int, cp_model.IntVar] = {}
    for b, (slot, _c, pin) in enumerate(buckets):
        count[b] = m.new_int_var(0, 1 if pin else k_per_slot[slot], f"m{b}")
    for slot in problem.slots:
        pins = [g for g in pinned if g.split("#")[0] == slot]
        m.add(
            sum(count[b] for b, (s, _, pin) in enumerate(buckets) if s == slot and not pin)
            == k_per_slot[slot] - len(pins)
        )
        for g in pins:
            m.add(sum(count[b] for b, (s, _, pin) in enumerate(buckets) if pin == g) == 1)

    n: dict[tuple[int, int], cp_model.IntVar] = {}
    type_list = list(types.items())
    in_bucket: dict[int, list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    theme_cost = []
    for t, (_key, crowd) in enumerate(type_list):
        slots = frozenset(crowd[0].slots)
        points = dict(crowd[0].theme_points())
        options = []
        for b, (slot, c, _pin) in enumerate(buckets):
            if slot not in slots:
                continue
            var = m.new_int_var(0, len(crowd), f"n{t},{b}")
            n[t, b] = var
            in_bucket[b].append((t, var))
            options.append(var)
            unmet = sum(pts for theme, pts in points.items() if theme not in plans[c])
            if unmet:
                theme_cost.append(unmet * var)
        m.add(sum(options) == len(crowd))

    industry_terms = []
    experience_terms = []
    for b, (slot, c, pin) in enumerate(buckets):
        fixed = pinned.get(pin, []) if pin else []
        size = sum(var for _, var in in_bucket[b]) + len(fixed) * count[b]
        m.add(size >= problem.size_min * count[b])
        m.add(size <= problem.size_max * count[b])
        by_industry: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        by_band: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        for t, var in in_bucket[b]:
            industry, band = type_list[t][0][2], type_list[t][0][3]
            if isinstance(industry, str):
                by_industry[industry].append(var)
            if isinstance(band, str):
                by_band[band].append(var)
        fixed_industry = Counter(p.industry for p in fixed if p.industry)
        fixed_band = Counter(p.band for p in fixed if p.band)
        cap = problem.size_max * (1 if pin else k_per_slot[slot])
        for industry in set(by_industry) | set(fixed_industry):
            total = sum(by_industry[industry]) + fixed_industry[industry] * count[b]
            if problem.industry_mode == IndustryMode.SAME:
                has = m.new_bool_var("")
                m.add(total <= cap * has)
                industry_terms.append(has)
            else:
                excess = m.new_int_var(0, cap, "")
                m.add(excess >= total - count[b])
                industry_terms.append(excess)
        if problem.industry_mode == IndustryMode.SAME:
            industry_terms.append(-count[b])
        for band in set(by_band) | set(fixed_band):
            quota = quotas.get(band, problem.size_max)
            total = sum(by_band[band]) + fixed_band[band] * count[b]
            excess = m.new_int_var(0, cap, "")
            m.add(excess >= total - quota * count[b])
            experience_terms.append(excess)
        if fixed:
            unmet_fixed = sum(pts for p in fixed for theme, pts in p.theme_points().items() if theme not in plans[c])
            if unmet_fixed:
                theme_cost.append(unmet_fixed * count[b])

    # Pairs and earlier places: only what the buckets alone can tell (other slot, other bucket).
    index_of = {crowd[0].key: t for t, (key, crowd) in enumerate(type_list) if key[4] is not None}
    together_terms = []
    for a, b_ in problem.together:
        if a in index_of and b_ in index_of:
            d = m.new_bool_var("")
            for b in range(len(buckets)):
                va = n.get((index_of[a], b), 0)
                vb = n.get((index_of[b_], b), 0)
                if isinstance(va, int) and isinstance(vb, int):
                    continue
                m.add(d >= va - vb)
            together_terms.append(d)
    stability_terms: list[cp_model.IntVar] = []
    for person_key, before in problem.previous.items():
        if person_key in index_of:
            before_slot = before.split("#")[0]
            stability_terms.extend(
                var
                for b, (slot, _c, _p) in enumerate(buckets)
                if slot != before_slot and (var := n.get((index_of[person_key], b))) is not None
            )

    goals = {
        "industry": sum(industry_terms),
        "experience": sum(experience_terms),
        "themes": sum(theme_cost),
        "balance": 0,
        "together": sum(together_terms),
        "stability": sum(stability_terms),
    }
    m.minimize(sum(weights.of(goal) * goals[goal] for goal in GOALS))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = problem.workers
    solver.parameters.random_seed = problem.seed
    status = solver.solve(m)
    took = time.perf_counter() - started
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return BucketResult(assignment={}, bound=0, objective=0, optimal=False, seconds=took)
    bound = int(-(-solver.best_objective_bound // 1))
    value = round(solver.objective_value)

    # Who goes where: hand out each type's people to its buckets, then deal each bucket round its groups.
    members: dict[int, list[Person]] = defaultdict(list)
    for t, (_key, crowd) in enumerate(type_list):
        queue = list(crowd)
        for b in range(len(buckets)):
            var = n.get((t, b))
            if var is None:
                continue
            for _ in range(int(solver.value(var))):
                members[b].append(queue.pop())
    assignment: dict[int, str] = {}
    numbering: Counter[str] = Counter()
    for b, (slot, _c, pin) in enumerate(buckets):
        groups = int(solver.value(count[b]))
        if not groups:
            continue
        if pin:
            for person in members[b]:
                assignment[person.key] = pin
            continue
        keys = []
        for _ in range(groups):
            numbering[slot] += 1
            while opened_key(slot, numbering[slot]) in pinned:
                numbering[slot] += 1
            keys.append(opened_key(slot, numbering[slot]))
        for person_key, group_key in deal(members[b], keys, problem).items():
            assignment[person_key] = group_key
    return BucketResult(
        assignment=renumber(assignment, problem, set(pinned)),
        bound=min(bound, value),
        objective=value,
        optimal=status == cp_model.OPTIMAL,
        seconds=took,
    )


def deal(crowd: list[Person], keys: list[str], problem: Problem) -> dict[int, str]:
    """Deal people round the groups, most common industry first, so each industry spreads evenly.

    In "same" mode people of an industry are dealt in runs instead, so they land together.
    Someone who must be kept apart from a person already in the next group goes to the next group that is free of them.
    """
    common = Counter(p.industry for p in crowd)
    if problem.industry_mode == IndustryMode.SAME:
        ordered = sorted(crowd, key=lambda p: (-common[p.industry], p.industry or "", p.band or "", p.key))
        per_group = -(-len(ordered) // len(keys))
        return {p.key: keys[min(i // per_group, len(keys) - 1)] for i, p in enumerate(ordered)}
    ordered = sorted(crowd, key=lambda p: (-common[p.industry], p.industry or "", p.band or "", p.key))
    apart: dict[int, set[int]] = defaultdict(set)
    for a, b in problem.apart:
        apart[a].add(b)
        apart[b].add(a)
    inside: dict[str, set[int]] = {k: set() for k in keys}
    out: dict[int, str] = {}
    for i, person in enumerate(ordered):
        turn = i % len(keys)
        for step in range(len(keys)):
            key = keys[(turn + step) % len(keys)]
            if not (apart[person.key] & inside[key]) and len(inside[key]) < problem.size_max:
                break
        else:
            key = keys[turn]
        inside[key].add(person.key)
        out[person.key] = key
    return out


def renumber(assignment: dict[int, str], problem: Problem, keep: set[str]) -> dict[int, str]:
    """Give the new groups the keys of the previous proposal's groups they share most people with."""
    if not problem.previous:
        return assignment
    by_group: dict[str, list[int]] = defaultdict(list)
    for person, key in assignment.items():
        by_group[key].append(person)
    overlap = []
    for key, crowd in by_group.items():
        if key in keep:
            continue
        votes = Counter(problem.previous[p] for p in crowd if p in problem.previous)
        for before, n in votes.items():
            if before.split("#")[0] == key.split("#")[0] and before not in keep:
                overlap.append((n, key, before))
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for _n, key, before in sorted(overlap, reverse=True):
        if key not in mapping and before not in taken:
            mapping[key] = before
            taken.add(before)
    free_keys = sorted((k for k in by_group if k not in keep and k not in mapping), key=str)
    spare = sorted({k for k in by_group if k not in keep} - taken - set(mapping.values()), key=str)
    # Groups without a previous match keep a key no matched group took.
    used = set(mapping.values()) | keep
    for key in free_keys:
        candidates = [k for k in spare if k not in used and k.split("#")[0] == key.split("#")[0]]
        target = candidates[0] if candidates else key
        if target in used:
            slot = key.split("#")[0]
            i = 1
            while opened_key(slot, i) in used:
                i += 1
            target = opened_key(slot, i)
        mapping[key] = target
        used.add(target)
    return {person: mapping.get(key, key) for person, key in assignment.items()}
