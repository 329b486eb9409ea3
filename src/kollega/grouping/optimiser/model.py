"""The CP-SAT model of one part of the problem: place its people in its groups.

A Boolean ``x[p, g]`` per person and allowed group (a group at a slot the
person agreed to). Hard rules are constraints; each goal is a linear penalty
built exactly as ``scoring`` measures it, so the solver's objective and bound
are the product's own figures for the part. The greedy placement is the
starting hint, and no goal may end worse than greedy's value on the part.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from kollega.grouping.optimiser.problem import GOALS, Conflict, GroupSpec, IndustryMode, Person, Problem, Rule


@dataclass
class Part:
    people: list[Person]  # placed by this part
    groups: list[GroupSpec]  # members: fixed people of the group (earlier members and locks)
    fixed: dict[int, Person]  # every fixed person of the part's groups
    quotas: dict[str, int]  # experience band → fair share of a group (global)
    hint: dict[int, str] = field(default_factory=dict)
    caps: dict[str, int] | None = None  # goal → most it may be (greedy's value), None when greedy failed


@dataclass
class PartResult:
    assignment: dict[int, str]
    objective: int
    bound: int
    optimal: bool
    solved: bool
    left_out: list[int]
    seconds: float
    conflicts: list[Conflict] = field(default_factory=list)
    infeasible: bool = False  # proven to have no placement (not merely out of time)


def allowed(person: Person, groups: list[GroupSpec]) -> list[GroupSpec]:
    return [g for g in groups if g.slot in person.slots]


def part_values(problem: Problem, part: Part, assignment: dict[int, str]) -> dict[str, int]:
    """The goals on the part alone, exactly as its model counts them (the caps for the solver)."""
    from kollega.grouping.optimiser.scoring import theme_plan, theme_support

    crowd: dict[str, list[Person]] = {g.key: [part.fixed[k] for k in g.members] for g in part.groups}
    free = {p.key: p for p in part.people}
    for person_key, group_key in assignment.items():
        if person_key in free and group_key in crowd:
            crowd[group_key].append(free[person_key])
    values = dict.fromkeys(GOALS, 0)
    sizes: dict[str, list[int]] = defaultdict(list)
    for g in part.groups:
        members = crowd[g.key]
        industries: dict[str, int] = defaultdict(int)
        bands: dict[str, int] = defaultdict(int)
        for p in members:
            if p.industry:
                industries[p.industry] += 1
            if p.band:
                bands[p.band] += 1
        if problem.industry_mode == IndustryMode.SAME:
            values["industry"] += max(0, len(industries) - 1) if members else 0
        else:
            values["industry"] += sum(n - 1 for n in industries.values() if n > 1)
        values["experience"] += sum(max(0, n - part.quotas.get(b, n)) for b, n in bands.items())
        support = theme_support(members)
        plan = theme_plan(support, problem.themes_per_group, problem.rankable_themes)
        values["themes"] += sum(sum(p.theme_points().values()) for p in members) - sum(support[t] for t in plan)
        sizes[g.slot].append(len(members))
    values["balance"] = sum(max(s) - min(s) for s in sizes.values() if len(s) > 1)
    where = {k: g.key for g in part.groups for k in g.members}
    where.update({k: v for k, v in assignment.items() if k in free})
    inside = set(where) | set(free)
    values["together"] = sum(
        1
        for a, b in problem.together
        if a in inside and b in inside and (where.get(a) is None or where.get(a) != where.get(b))
    )
    group_keys = {g.key for g in part.groups}
    values["stability"] = sum(
        1
        for person, before in problem.previous.items()
        if person in free and before in group_keys and where.get(person) != before
    )
    return values


def solve_part(problem: Problem, part: Part, seconds: float, relaxed: bool = False) -> PartResult:
    """Build and solve the part's model within ``seconds``; ``relaxed`` lets people stay out (fewest possible)."""
    started = time.perf_counter()
    m = cp_model.CpModel()
    groups = part.groups
    x: dict[tuple[int, str], cp_model.IntVar] = {}
    by_group: dict[str, list[tuple[Person, cp_model.IntVar]]] = defaultdict(list)
    placed: dict[int, cp_model.LinearExprT] = {}
    for person in part.people:
        options = allowed(person, groups)
        for g in options:
            var = m.new_bool_var(f"x[{person.key},{g.key}]")
            x[person.key, g.key] = var
            by_group[g.key].append((person, var))
        total = sum((x[person.key, g.key] for g in options), start=0)
        if relaxed:
            m.add(total <= 1)
        else:
            m.add(total == 1)
        placed[person.key] = total

    fixed_in: dict[str, list[Person]] = {g.key: [part.fixed[k] for k in g.members] for g in groups}
    size: dict[str, cp_model.LinearExprT] = {}
    used: dict[str, cp_model.IntVar | int] = {}
    for g in groups:
        size[g.key] = len(fixed_in[g.key]) + sum((v for _, v in by_group[g.key]), start=0)
        if relaxed and not fixed_in[g.key]:
            u = m.new_bool_var(f"used[{g.key}]")
            m.add(size[g.key] >= problem.size_min * u)
            m.add(size[g.key] <= problem.size_max * u)
            used[g.key] = u
        else:
            used[g.key] = 1
            m.add(size[g.key] >= problem.size_min)
            m.add(size[g.key] <= problem.size_max)

    # Must not share a group.
    fixed_group = {k: g.key for g in groups for k in g.members}
    for a, b in problem.apart:
        for g in groups:
            va = x.get((a, g.key)) if fixed_group.get(a) != g.key else 1
            vb = x.get((b, g.key)) if fixed_group.get(b) != g.key else 1
            if va is None or vb is None:
                continue
            m.add(va + vb <= 1)

    goals: dict[str, cp_model.LinearExprT] = {}
    max_size = problem.size_max

    # Industry.
    industry_terms = []
    constant = 0
    for g in groups:
        counts: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        fixed_counts: dict[str, int] = defaultdict(int)
        for person, var in by_group[g.key]:
            if person.industry:
                counts[person.industry].append(var)
        for person in fixed_in[g.key]:
            if person.industry:
                fixed_counts[person.industry] += 1
        for industry in set(counts) | set(fixed_counts):
            count = fixed_counts[industry] + sum(counts[industry], start=0)
            if problem.industry_mode == IndustryMode.SAME:
                has = m.new_bool_var(f"has[{g.key},{industry}]")
                if fixed_counts[industry]:
                    m.add(has == 1)
                for var in counts[industry]:
                    m.add_implication(var, has)
                industry_terms.append(has)
            elif fixed_counts[industry] + len(counts[industry]) > 1:
                excess = m.new_int_var(0, max_size, f"ind[{g.key},{industry}]")
                m.add(excess >= count - 1)
                industry_terms.append(excess)
        if problem.industry_mode == IndustryMode.SAME:
            constant -= 1 if isinstance(used[g.key], int) else 0
            if not isinstance(used[g.key], int):
                industry_terms.append(-used[g.key])
    goals["industry"] = sum(industry_terms, start=constant)

    # Experience.
    experience_terms = []
    for g in groups:
        counts_b: dict[str, list[cp_model.IntVar]] = defaultdict(list)
        fixed_b: dict[str, int] = defaultdict(int)
        for person, var in by_group[g.key]:
            if person.band:
                counts_b[person.band].append(var)
        for person in fixed_in[g.key]:
            if person.band:
                fixed_b[person.band] += 1
        for band in set(counts_b) | set(fixed_b):
            quota = part.quotas.get(band, max_size)
            if fixed_b[band] + len(counts_b[band]) <= quota:
                continue
            excess = m.new_int_var(0, max_size, f"exp[{g.key},{band}]")
            m.add(excess >= fixed_b[band] + sum(counts_b[band], start=0) - quota)
            experience_terms.append(excess)
    goals["experience"] = sum(experience_terms, start=0)

    # Themes: points the plan of each group leaves unmet.
    wanted_fixed = sum(sum(p.theme_points().values()) for members in fixed_in.values() for p in members)
    wanted = sum(
        (sum(p.theme_points().values()) * placed[p.key] for p in part.people if p.theme_points()), start=wanted_fixed
    )
    met_terms = []
    plan_size = problem.themes_per_group
    for g in groups:
        support: dict[str, cp_model.LinearExprT] = defaultdict(int)
        top: dict[str, int] = defaultdict(int)
        for person, var in by_group[g.key]:
            for theme, points in person.theme_points().items():
                support[theme] = support[theme] + points * var
                top[theme] += points
        for person in fixed_in[g.key]:
            for theme, points in person.theme_points().items():
                support[theme] = support[theme] + points
                top[theme] += points
        if not support:
            continue
        chosen = []
        for theme, expr in support.items():
            met = m.new_int_var(0, top[theme], f"met[{g.key},{theme}]")
            pick = m.new_bool_var(f"plan[{g.key},{theme}]")
            m.add(met <= expr)
            m.add(met <= top[theme] * pick)
            chosen.append(pick)
            met_terms.append(met)
        if len(chosen) > plan_size:
            m.add(sum(chosen) <= plan_size)
    goals["themes"] = wanted - sum(met_terms, start=0)

    # Balance: per slot, the largest group less the smallest.
    by_slot: dict[str, list[GroupSpec]] = defaultdict(list)
    for g in groups:
        by_slot[g.slot].append(g)
    balance_terms = []
    for slot, slot_groups in by_slot.items():
        if len(slot_groups) < 2:
            continue
        high = m.new_int_var(0, max_size, f"high[{slot}]")
        low = m.new_int_var(0, max_size, f"low[{slot}]")
        for g in slot_groups:
            m.add(high >= size[g.key])
            if isinstance(used[g.key], int):
                m.add(low <= size[g.key])
            else:
                m.add(low <= size[g.key] + max_size * (1 - used[g.key]))
        balance_terms.append(high - low)
    goals["balance"] = sum(balance_terms, start=0)

    # Together: a pair apart costs one.
    inside = {p.key for p in part.people} | set(fixed_group)
    together_terms: list[cp_model.LinearExprT] = []
    for a, b in problem.together:
        if a not in inside or b not in inside:
            continue
        apart_var = m.new_bool_var(f"apart[{a},{b}]")
        for g in groups:
            va = x.get((a, g.key), 1 if fixed_group.get(a) == g.key else 0)
            vb = x.get((b, g.key), 1 if fixed_group.get(b) == g.key else 0)
            if isinstance(va, int) and isinstance(vb, int) and va == vb:
                continue
            m.add(apart_var >= va - vb)
        if relaxed:
            for k in (a, b):
                if k in placed:
                    m.add(apart_var >= 1 - placed[k])
        together_terms.append(apart_var)
    goals["together"] = sum(together_terms, start=0)

    # Stability: one for each person moved from their previous group.
    group_keys = {g.key for g in groups}
    stability_terms: list[cp_model.LinearExprT] = []
    for person in part.people:
        before = problem.previous.get(person.key)
        if before is None or before not in group_keys:
            continue
        stability_terms.append(1 - x[person.key, before] if (person.key, before) in x else 1)
    goals["stability"] = sum(stability_terms, start=0)

    objective = sum((problem.weights.of(goal) * goals[goal] for goal in GOALS), start=0)
    if relaxed:
        # A person left out costs more than every goal together could.
        worst = sum(problem.weights.of(goal) for goal in GOALS) * (len(part.people) + len(part.fixed) + 1) * 8
        objective = objective + worst * sum((1 - placed[p.key] for p in part.people), start=0)
    elif part.caps is not None:
        for goal, cap in part.caps.items():
            m.add(goals[goal] <= cap)
    m.minimize(objective)
    for person_key, group_key in part.hint.items():
        for g in groups:
            if (person_key, g.key) in x:
                m.add_hint(x[person_key, g.key], g.key == group_key)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_workers = problem.workers
    solver.parameters.random_seed = problem.seed
    # (repair_hint is left off: with a short time limit OR-Tools 9.15 can abort in its hint-repair search.)
    status = solver.solve(m)
    took = time.perf_counter() - started
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return PartResult(
            assignment={},
            objective=0,
            bound=0,
            optimal=False,
            solved=False,
            left_out=[p.key for p in part.people],
            seconds=took,
            infeasible=status == cp_model.INFEASIBLE,
        )
    assignment = {}
    left_out = []
    for person in part.people:
        where = [g.key for g in allowed(person, groups) if solver.value(x[person.key, g.key])]
        if where:
            assignment[person.key] = where[0]
        else:
            left_out.append(person.key)
    value = round(solver.objective_value)
    bound = int(-(-solver.best_objective_bound // 1))  # integer objective: the bound rounds up
    return PartResult(
        assignment=assignment,
        objective=value,
        bound=min(bound, value),
        optimal=status == cp_model.OPTIMAL and bound >= value,
        solved=True,
        left_out=left_out,
        seconds=took,
    )


def apart_core(problem: Problem, part: Part, seconds: float = 10.0) -> Conflict | None:
    """When a part has no placement, the smallest set of must-not pairs (and their people) that causes it.

    Each pair's constraint is guarded by an assumption; the solver names a
    set of assumptions that cannot all hold. None when the pairs are not the
    cause (then the sizes and slots are).
    """
    if not problem.apart:
        return None
    m = cp_model.CpModel()
    x: dict[tuple[int, str], cp_model.IntVar] = {}
    for person in part.people:
        options = allowed(person, part.groups)
        for g in options:
            x[person.key, g.key] = m.new_bool_var("")
        m.add_exactly_one(x[person.key, g.key] for g in options)
    fixed_group = {k: g.key for g in part.groups for k in g.members}
    for g in part.groups:
        total = len(g.members) + sum((x[p.key, g.key] for p in part.people if (p.key, g.key) in x), start=0)
        m.add(total >= problem.size_min)
        m.add(total <= problem.size_max)
    guards: dict[int, tuple[int, int]] = {}
    for a, b in problem.apart:
        guard = m.new_bool_var(f"pair[{a},{b}]")
        relevant = False
        for g in part.groups:
            va = x.get((a, g.key)) if fixed_group.get(a) != g.key else 1
            vb = x.get((b, g.key)) if fixed_group.get(b) != g.key else 1
            if va is None or vb is None:
                continue
            relevant = True
            m.add(va + vb <= 1).only_enforce_if(guard)
        if relevant:
            guards[guard.index] = (a, b)
            m.add_assumption(guard)
    if not guards:
        return None
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = seconds
    if solver.solve(m) != cp_model.INFEASIBLE:
        return None
    core = [guards[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in guards]
    if not core:
        return None
    people = sorted({k for pair in core for k in pair})
    return Conflict(rule=Rule.APART_CROWD, people=tuple(people), detail={"pairs": len(core)})
