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
from kollega.grouping.optimiser.scoring import band_quotas, theme_plan, theme_support

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


def solve_buckets(
    problem: Problem,
    plan: SlotPlan,
    locks: dict[int, str],
    seconds: float,
    start: dict[int, str] | None = None,
    quotas: dict[str, int] | None = None,
) -> BucketResult:
    """Solve the bucket model within ``seconds``, starting from ``start`` (a full placement, e.g. greedy's) if given.

    ``quotas`` are the experience bands' fair shares of a group when ``problem`` is one cut of a larger one.
    """
    started = time.perf_counter()
    people = {p.key: p for p in problem.people}
    plans = profiles(problem)
    k_per_slot = Counter(g.slot for g in plan.groups)
    if quotas is None:
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
    if start:
        _hint(m, start, problem, plan, pinned, buckets, plans, type_list, count, n)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = problem.workers
    solver.parameters.random_seed = problem.seed
    if problem.workers == 2:
        # The model's linear relaxation is tight: two workers that lean on it find good placements and a
        # good bound far more steadily than the default pair (measured in docs/performance.md).
        solver.parameters.subsolvers.extend(["max_lp", "default_lp"])
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
    # The plan's groups of each slot, in order, are handed out to the buckets that open groups.
    unpinned = {slot: [g.key for g in plan.groups if g.slot == slot and g.key not in pinned] for slot in k_per_slot}
    for b, (slot, _c, pin) in enumerate(buckets):
        groups = int(solver.value(count[b]))
        if not groups:
            continue
        if pin:
            for person in members[b]:
                assignment[person.key] = pin
            continue
        keys = [unpinned[slot].pop(0) for _ in range(groups)]
        for person_key, group_key in deal(members[b], keys, problem, quotas).items():
            assignment[person_key] = group_key
    return BucketResult(
        assignment=renumber(assignment, problem, set(pinned), {g.key for g in plan.groups}),
        bound=min(bound, value),
        objective=value,
        optimal=status == cp_model.OPTIMAL,
        seconds=took,
    )


def _hint(
    m: cp_model.CpModel,
    start: dict[int, str],
    problem: Problem,
    plan: SlotPlan,
    pinned: dict[str, list[Person]],
    buckets: list[tuple[str, int, str]],
    plans: list[frozenset[str]],
    type_list: list[tuple[tuple[object, ...], list[Person]]],
    count: dict[int, cp_model.IntVar],
    n: dict[tuple[int, int], cp_model.IntVar],
) -> None:
    """Hint the solver with ``start``: each group goes to the bucket of its slot and best plan."""
    people = {p.key: p for p in problem.people}
    members: dict[str, list[Person]] = defaultdict(list)
    for person_key, group_key in start.items():
        if person_key in people:
            members[group_key].append(people[person_key])
    for group_key, fixed in pinned.items():
        members[group_key].extend(p for p in fixed if p not in members[group_key])
    size = len(plans[0]) if plans else 0
    order = list(problem.rankable_themes) + sorted({t for p in problem.people for t in p.theme_points()})
    index = {(slot, c, pin): b for b, (slot, c, pin) in enumerate(buckets)}
    plan_index = {chosen: c for c, chosen in enumerate(plans)}
    bucket_of_group: dict[str, int] = {}
    for g in plan.groups:
        chosen = theme_plan(theme_support(members[g.key]), size, problem.rankable_themes)
        for theme in order:
            if len(chosen) >= size:
                break
            if theme not in chosen:
                chosen.append(theme)
        c = plan_index.get(frozenset(chosen[:size]), 0)
        b = index.get((g.slot, c, g.key if g.key in pinned else ""))
        if b is not None:
            bucket_of_group[g.key] = b
    groups_in: Counter[int] = Counter(bucket_of_group.values())
    for b, var in count.items():
        m.add_hint(var, groups_in[b])
    type_of = {p.key: t for t, (_key, crowd) in enumerate(type_list) for p in crowd}
    in_type_bucket: Counter[tuple[int, int]] = Counter()
    for person_key, group_key in start.items():
        if person_key in type_of and group_key in bucket_of_group:
            in_type_bucket[type_of[person_key], bucket_of_group[group_key]] += 1
    for key, var in n.items():
        m.add_hint(var, in_type_bucket[key])


def deal(crowd: list[Person], keys: list[str], problem: Problem, quotas: dict[str, int]) -> dict[int, str]:
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
    return improve_by_swaps(crowd, out, problem, quotas)


def improve_by_swaps(
    crowd: list[Person], placed: dict[int, str], problem: Problem, quotas: dict[str, int], rounds: int = 6
) -> dict[int, str]:
    """Swap people between a bucket's groups while that lowers the industry and experience penalties.

    A swap keeps every group's size and the bucket's theme plan, so only these
    two goals (and must-not pairs, which a swap may never break) can change.
    """
    if len(set(placed.values())) < 2:
        return placed
    people = {p.key: p for p in crowd}
    w_ind, w_exp = problem.weights.industry, problem.weights.experience
    apart: dict[int, set[int]] = defaultdict(set)
    for a, b in problem.apart:
        apart[a].add(b)
        apart[b].add(a)
    members: dict[str, set[int]] = defaultdict(set)
    industry: dict[str, Counter[str]] = defaultdict(Counter)
    band: dict[str, Counter[str]] = defaultdict(Counter)
    for key, group in placed.items():
        person = people[key]
        members[group].add(key)
        if person.industry:
            industry[group][person.industry] += 1
        if person.band:
            band[group][person.band] += 1

    def cost_change(group: str, leaving: Person, coming: Person) -> int:
        change = 0
        if leaving.industry != coming.industry:
            for ind, step in ((leaving.industry, -1), (coming.industry, 1)):
                if ind:
                    n = industry[group][ind]
                    change += w_ind * (max(0, n + step - 1) - max(0, n - 1))
        if leaving.band != coming.band:
            for b, step in ((leaving.band, -1), (coming.band, 1)):
                if b:
                    n, q = band[group][b], quotas.get(b, problem.size_max)
                    change += w_exp * (max(0, n + step - q) - max(0, n - q))
        return change

    groups = sorted(members)
    for _round in range(rounds):
        improved = False
        for i, first in enumerate(groups):
            for second in groups[i + 1 :]:
                for a in sorted(members[first]):
                    pa = people[a]
                    for b in sorted(members[second]):
                        pb = people[b]
                        if (pa.industry, pa.band) == (pb.industry, pb.band):
                            continue
                        if apart[a] & (members[second] - {b}) or apart[b] & (members[first] - {a}):
                            continue
                        delta = cost_change(first, pa, pb) + cost_change(second, pb, pa)
                        if delta < 0:
                            for group, out_p, in_p in ((first, pa, pb), (second, pb, pa)):
                                members[group].discard(out_p.key)
                                members[group].add(in_p.key)
                                if out_p.industry:
                                    industry[group][out_p.industry] -= 1
                                if in_p.industry:
                                    industry[group][in_p.industry] += 1
                                if out_p.band:
                                    band[group][out_p.band] -= 1
                                if in_p.band:
                                    band[group][in_p.band] += 1
                            placed[a], placed[b] = second, first
                            improved = True
                            break
                    else:
                        continue
                    # a was moved: look at the next person of the first group
                    continue
        if not improved:
            break
    return placed


def renumber(
    assignment: dict[int, str], problem: Problem, keep: set[str], known: set[str] | None = None
) -> dict[int, str]:
    """Give the new groups the keys of the previous proposal's groups they share most people with.

    Only keys of ``known`` groups (the plan's, when given) are handed out, so a previous group the
    new plan no longer has is never named.
    """
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
            if before.split("#")[0] == key.split("#")[0] and before not in keep and (known is None or before in known):
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
            free = sorted(k for k in (known or ()) if k not in used and k.split("#")[0] == slot)
            if free:
                target = free[0]
            else:
                i = 1
                while opened_key(slot, i) in used:
                    i += 1
                target = opened_key(slot, i)
        mapping[key] = target
        used.add(target)
    return {person: mapping.get(key, key) for person, key in assignment.items()}
