"""``propose(problem)``: check the input, plan the groups, split, solve each part, and explain the answer.

The order: greedy (the floor), the bucket model (whole up to ``WHOLE_LIMIT``
people, else in cuts of greedy's groups that follow the time slots), the
group model where the bucket model does not apply or to polish a small
answer, and last the local search of ``local``, which wins back any goal
worse than greedy's and then lowers the weighted sum.

The group model's split. Time slots that share nobody are independent: their people can
only meet in their own groups, so solving each set of connected slots apart
loses nothing, and the sum of the parts' proven bounds is a proven bound of
the whole ("exact"). A connected set larger than ``problem.part_limit``
people is cut further along the greedy baseline's groups: each cut keeps its
people and groups. That can miss better answers that move people between
cuts, so such a split is marked not exact and its bound comes from
``scoring.analytic_bound``, which holds for every placement.
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict

from kollega.grouping.optimiser import buckets, local, scoring
from kollega.grouping.optimiser.buckets import BucketResult
from kollega.grouping.optimiser.model import Part, PartResult, apart_core, part_values, solve_part
from kollega.grouping.optimiser.plan import SlotPlan, free_people, greedy, slot_plan
from kollega.grouping.optimiser.problem import GOALS, Conflict, GroupSpec, Person, Problem, Proposal, Rule, Status

#: The share of the time limit the bucket model may take; the rest is for the group model and the local search.
BUCKET_SHARE = 0.85
#: The share of the time limit kept for the local search at the end (moves and swaps; see ``local``).
LOCAL_SHARE = 0.15
#: Beyond this many people the bucket model is solved in cuts of about ``CUT_SIZE`` people (not exact).
WHOLE_LIMIT = 1_000
CUT_SIZE = 800
#: The share of a cut's time for its own local search; a cut with less than ``CUT_MIN_SECONDS`` keeps greedy's.
CUT_LOCAL_SHARE = 0.3
CUT_MIN_SECONDS = 0.3
#: From this many people on, a cut's bucket model starts from a themes-and-slots-only answer.
THEMES_FIRST_FROM = 600
#: Up to this many people a bucket answer not proven best is polished by the group model,
#: when at least ``POLISH_MIN_SECONDS`` are left.
POLISH_LIMIT = 100
POLISH_MIN_SECONDS = 0.5

INPUT_RULES = frozenset(
    {Rule.TIME_LIMIT, Rule.NO_PEOPLE, Rule.PAIR_SELF, Rule.PAIR_UNKNOWN, Rule.PAIR_CONTRADICTS, Rule.LOCK_UNKNOWN}
)


def input_conflicts(problem: Problem) -> list[Conflict]:
    """Input that no proposal can follow: the caller must correct it first."""
    found: list[Conflict] = []
    if problem.time_limit <= 0:
        found.append(Conflict(rule=Rule.TIME_LIMIT))
    if not problem.people:
        found.append(Conflict(rule=Rule.NO_PEOPLE))
    if problem.size_min < 1 or problem.size_max < problem.size_min:
        found.append(Conflict(rule=Rule.SIZES, detail={"min": problem.size_min, "max": problem.size_max}))
    keys = {p.key for p in problem.people}
    apart = {frozenset(pair) for pair in problem.apart}
    for kind in (problem.apart, problem.together):
        for a, b in kind:
            if a == b:
                found.append(Conflict(rule=Rule.PAIR_SELF, people=(a,)))
            elif a not in keys or b not in keys:
                found.append(Conflict(rule=Rule.PAIR_UNKNOWN, people=tuple(k for k in (a, b) if k not in keys)))
    for a, b in problem.together:
        if frozenset((a, b)) in apart and a != b:
            found.append(Conflict(rule=Rule.PAIR_CONTRADICTS, people=tuple(sorted((a, b)))))
    group_keys = {g.key for g in problem.groups}
    for person, group_key in sorted(problem.locks.items()):
        if person not in keys:
            found.append(Conflict(rule=Rule.PAIR_UNKNOWN, people=(person,)))
        elif (problem.groups and group_key not in group_keys) or (
            not problem.groups and ("#" not in group_key or group_key.split("#")[0] not in problem.slots)
        ):
            found.append(Conflict(rule=Rule.LOCK_UNKNOWN, people=(person,), groups=(group_key,)))
    return found


def _slot_of(problem: Problem, group_key: str) -> str:
    for g in problem.groups:
        if g.key == group_key:
            return g.slot
    return group_key.split("#")[0]


def placement_conflicts(problem: Problem) -> tuple[list[Conflict], set[int], dict[int, str]]:
    """People who cannot be placed as asked, the conflicts naming them, and the locks that still hold."""
    found: list[Conflict] = []
    out: set[int] = set()
    usable_slots = {g.slot for g in problem.groups} if problem.groups else set(problem.slots)
    taken = {k for g in problem.groups for k in g.members}
    no_slot = sorted(p.key for p in problem.people if p.key not in taken and not (p.slots & usable_slots))
    no_slot = [k for k in no_slot if k not in problem.locks]
    if no_slot:
        found.append(Conflict(rule=Rule.NO_SLOT, people=tuple(no_slot)))
        out.update(no_slot)
    locks: dict[int, str] = {}
    people = {p.key: p for p in problem.people}
    wrong_slot = []
    for person, group_key in sorted(problem.locks.items()):
        if _slot_of(problem, group_key) not in people[person].slots:
            wrong_slot.append(person)
        else:
            locks[person] = group_key
    if wrong_slot:
        found.append(Conflict(rule=Rule.LOCK_SLOT, people=tuple(wrong_slot)))
        out.update(wrong_slot)
    per_group: dict[str, list[int]] = defaultdict(list)
    for person, group_key in sorted(locks.items()):
        per_group[group_key].append(person)
    earlier = {g.key: len(g.members) for g in problem.groups}
    for group_key, locked in per_group.items():
        room = problem.size_max - earlier.get(group_key, 0)
        if len(locked) > room:
            found.append(
                Conflict(rule=Rule.LOCK_SIZE, people=tuple(locked), groups=(group_key,), detail={"room": room})
            )
            for person in locked[room:]:
                out.add(person)
                locks.pop(person)
    members = {g.key: set(g.members) for g in problem.groups}
    for a, b in problem.apart:
        ga = locks.get(a) or next((k for k, s in members.items() if a in s), None)
        gb = locks.get(b) or next((k for k, s in members.items() if b in s), None)
        if ga is not None and ga == gb:
            found.append(Conflict(rule=Rule.LOCK_APART, people=tuple(sorted((a, b))), groups=(ga,)))
            loser = b if b in locks else a
            if loser in locks:
                out.add(loser)
                locks.pop(loser)
    return found, out, locks


def _components(plan: SlotPlan, people: list[Person]) -> list[set[str]]:
    parent: dict[str, str] = {g.slot: g.slot for g in plan.groups}

    def find(s: str) -> str:
        while parent[s] != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    for person in people:
        slots = [s for s in sorted(person.slots) if s in parent]
        for other in slots[1:]:
            parent[find(other)] = find(slots[0])
    groups: dict[str, set[str]] = defaultdict(set)
    for slot in parent:
        groups[find(slot)].add(slot)
    return sorted(groups.values(), key=lambda s: sorted(s))


def _parts(problem: Problem, plan: SlotPlan, locks: dict[int, str], base: dict[int, str]) -> list[tuple[Part, bool]]:
    """The parts to solve, each with whether it is exact (a whole set of connected slots)."""
    people = {p.key: p for p in problem.people}
    free = [p for p in free_people(problem, plan.groups) if p.key not in locks]
    quotas = scoring.band_quotas(problem, len(plan.groups))
    fixed_members: dict[str, list[int]] = {g.key: list(g.members) for g in plan.groups}
    for locked, group_key in locks.items():
        fixed_members[group_key].append(locked)
    groups = [GroupSpec(key=g.key, slot=g.slot, name=g.name, members=tuple(fixed_members[g.key])) for g in plan.groups]
    out: list[tuple[Part, bool]] = []
    for component in _components(plan, free):
        comp_groups = [g for g in groups if g.slot in component]
        comp_people = [p for p in free if p.slots & component]
        if len(comp_people) <= problem.part_limit:
            chunks = [(comp_groups, comp_people)]
        else:
            chunks = []
            current: list[GroupSpec] = []
            count = 0
            members_of: dict[str, list[Person]] = defaultdict(list)
            for person in comp_people:
                if person.key in base:
                    members_of[base[person.key]].append(person)
            for g in comp_groups:
                n = len(members_of[g.key])
                if current and (count + n > problem.part_limit or g.slot != current[-1].slot):
                    chunks.append((current, [p for h in current for p in members_of[h.key]]))
                    current, count = [], 0
                current.append(g)
                count += n
            if current:
                chunks.append((current, [p for h in current for p in members_of[h.key]]))
            unplaced = [p for p in comp_people if p.key not in base]
            for person in unplaced:  # greedy found no room: give them to the first cut with a group at their time
                for chunk_groups, chunk_people in chunks:
                    if any(g.slot in person.slots for g in chunk_groups):
                        chunk_people.append(person)
                        break
        for chunk_groups, chunk_people in chunks:
            fixed = {k: people[k] for g in chunk_groups for k in g.members if k in people}
            part = Part(people=chunk_people, groups=chunk_groups, fixed=fixed, quotas=quotas)
            keys = {g.key for g in chunk_groups}
            part.hint = {p.key: base[p.key] for p in chunk_people if base.get(p.key) in keys}
            out.append((part, len(chunks) == 1))
    return out


def propose(problem: Problem) -> Proposal:
    """The best proposal found within the time limit, with its proven bound and its explanation.

    The slot plan opens the fewest groups the sizes allow; when must-not pairs
    cannot be kept apart in that many, the slots involved get one more group
    and the search starts again (at most a few times), before anyone is left out.
    """
    started = time.perf_counter()
    wrong = input_conflicts(problem)
    if wrong:
        return _empty(Status.INVALID, wrong, started)
    extra: dict[str, int] = dict(problem.min_groups)
    for _attempt in range(4):
        proposal, more = _propose_once(problem, extra, started)
        if not more:
            break
        extra = more
    return proposal


def _more_groups(plan: SlotPlan, people: list[Person], extra: dict[str, int]) -> dict[str, int]:
    """One more group in each slot these people could go to (for must-not pairs that need room)."""
    counts: dict[str, int] = defaultdict(int)
    for g in plan.groups:
        counts[g.slot] += 1
    bumped = dict(extra)
    for person in people:
        for slot in person.slots:
            if slot in counts:
                bumped[slot] = max(bumped.get(slot, 0), counts[slot] + 1)
    return bumped if bumped != extra else {}


def _propose_once(problem: Problem, extra: dict[str, int], started: float) -> tuple[Proposal, dict[str, int]]:
    conflicts, left_out, locks = placement_conflicts(problem)
    reduced = dataclasses.replace(problem, locks=locks, min_groups=extra)
    reduced.people = [p for p in problem.people if p.key not in left_out]
    relaxed = False
    plan = slot_plan(reduced)
    if plan.conflicts:
        conflicts.extend(plan.conflicts)
        relaxed = True
        plan = slot_plan(reduced, relaxed=True)
        if plan.conflicts or not plan.groups:
            return _empty(Status.INFEASIBLE, conflicts, started), {}
    base = greedy(reduced, plan)
    stuck = [p for p in free_people(reduced, plan.groups) if p.key not in base and p.key not in locks]
    if stuck and not relaxed and not problem.groups and problem.apart:
        more = _more_groups(plan, stuck, extra)
        if more and slot_plan(dataclasses.replace(reduced, min_groups=more)).groups:
            return _empty(Status.INFEASIBLE, conflicts, started), more
    baseline = scoring.goal_values(problem, plan.groups, {**base, **locks})
    assignment: dict[int, str] = dict(locks)
    bucket: BucketResult | None = None
    results: list[tuple[Part, bool, PartResult]] = []
    parts: list[tuple[Part, bool]] = []
    cuts = 0
    free_count = sum(1 for p in free_people(reduced, plan.groups) if p.key not in locks)
    if not relaxed and buckets.usable(reduced):
        budget = max(0.1, problem.time_limit * BUCKET_SHARE - (time.perf_counter() - started))
        start = {**base, **locks}
        if free_count > WHOLE_LIMIT:
            # Too many people for one bucket model: solve it in cuts of the greedy placement (not exact).
            answer, cuts = _solve_in_cuts(reduced, plan, locks, base, budget)
            bucket = BucketResult(assignment=answer, bound=0, objective=0, optimal=False, seconds=0)
        else:
            bucket = buckets.solve_buckets(reduced, plan, locks, seconds=budget, start=start)
        candidate = {**bucket.assignment, **locks}
        if bucket.assignment and set(candidate) >= set(base) and _holds(reduced, plan, candidate):
            # Kept even when a goal is worse than greedy's: the local search at the end wins it back.
            assignment = candidate
        else:
            bucket = BucketResult(assignment={}, bound=bucket.bound, objective=0, optimal=False, seconds=0)
    # A small problem whose bucket answer is not proven best gets time in the group model, starting from
    # that answer; the group model's own bound may also close the gap.
    accepted = assignment if bucket is not None and bucket.assignment else None
    chosen_other = False
    polish = (
        accepted is not None
        and bucket is not None
        and bucket.bound < _weighted_of(problem, plan, accepted)
        and len(reduced.people) <= POLISH_LIMIT
        and problem.time_limit * (1 - LOCAL_SHARE) - (time.perf_counter() - started) > POLISH_MIN_SECONDS
    )
    if accepted is None or polish:
        parts = _parts(reduced, plan, locks, accepted or base)
        deadline = started + problem.time_limit * (1 - LOCAL_SHARE if accepted or not relaxed else 1)
        assignment, results, relaxed = _solve_parts(reduced, parts, base, relaxed, conflicts, left_out, deadline)
        if not relaxed:
            # The best complete placement that keeps the hard rules: the parts', the bucket model's, or greedy's.
            candidates = (assignment, accepted, {**base, **locks})
            options = [a for a in candidates if a and _complete(reduced, a, plan)]
            if options:
                chosen = min(options, key=lambda a: _weighted_of(problem, plan, a))
                if chosen is not assignment:
                    assignment = dict(chosen)
                    left_out.difference_update(assignment)
                    chosen_other = True
    if not relaxed and _complete(reduced, assignment, plan):
        # Moves and swaps in the time left: win back any goal worse than greedy's, then lower the weighted sum.
        seconds = problem.time_limit - (time.perf_counter() - started) - _closing_seconds(free_count)
        # The fair shares of experience as the goals are reported: over everyone, left out or not.
        open_groups = set(assignment.values()) | {g.key for g in plan.groups if g.members}
        quotas = scoring.band_quotas(problem, len(open_groups))
        improved = local.improve(reduced, plan.groups, assignment, seconds, floor=baseline, quotas=quotas)
        if improved != assignment:
            assignment = improved
            chosen_other = True

    apart_people = [
        reduced.person(k)
        for c in conflicts
        if c.rule == Rule.APART_CROWD
        for k in c.people
        if k in {p.key for p in reduced.people}
    ]
    if apart_people and not problem.groups:
        more = _more_groups(plan, apart_people, extra)
        if more and slot_plan(dataclasses.replace(reduced, min_groups=more)).groups:
            return _empty(Status.INFEASIBLE, conflicts, started), more

    # Anyone neither placed nor already named (people whose only slots got no group) is left out, and named.
    vanished = sorted(p.key for p in problem.people if p.key not in assignment and p.key not in left_out)
    if vanished:
        conflicts.append(Conflict(rule=Rule.CAPACITY, people=tuple(vanished)))
        left_out.update(vanished)

    goals = scoring.goal_values(problem, plan.groups, assignment)
    objective = scoring.weighted(problem, goals)
    bound, exact_all = _bound(problem, plan, results, objective, chosen_other) if results else (0, True)
    if bucket is not None:
        bound = max(bound, bucket.bound)
    if cuts:
        # Cut apart, nothing is proven about the whole except the limits that hold for any placement.
        exact_all = False
        placed = [p for p in reduced.people if p.key not in locks]
        fixed = [p for p in reduced.people if p.key in locks]
        limits = scoring.analytic_bound(problem, placed, len(plan.groups), fixed)
        bound = max(bound, min(objective, scoring.weighted(problem, limits)))
    if left_out:
        # The parts' bounds priced leaving people out; for the people placed, only the limits that hold for
        # any placement of them are a fair bound.
        placed = [p for p in reduced.people if p.key in assignment]
        bound = min(objective, scoring.weighted(problem, scoring.analytic_bound(problem, placed, len(plan.groups))))
    if left_out:
        status = Status.PARTIAL
    elif bound >= objective:
        status = Status.OPTIMAL
    else:
        status = Status.FEASIBLE
    gap = 0.0 if objective <= 0 or status == Status.OPTIMAL else max(0.0, (objective - bound) / objective)
    notes = []
    if not exact_all:
        notes.append("split_not_exact")
    return (
        Proposal(
            status=status,
            assignment=assignment,
            groups=scoring.summaries(problem, plan.groups, assignment),
            goals=goals,
            objective=objective,
            bound=bound,
            gap=gap,
            exact=exact_all,
            parts=cuts or len(parts) or 1,
            wall_time=time.perf_counter() - started,
            left_out=sorted(left_out),
            conflicts=conflicts,
            baseline_goals=baseline,
            notes=notes,
        ),
        {},
    )


def _themes_first(
    problem: Problem, plan: SlotPlan, locks: dict[int, str], greedy_start: dict[int, str], seconds: float
) -> dict[int, str] | None:
    """A placement from the bucket model of theme wishes and slots alone, dealt by industry; None if no better.

    Without industries and experience the model is small (people alike in slots and wishes are one
    type), so it solves fast; dealing each of its buckets by industry then gives a placement that the
    full model can start from. It is kept only when it beats greedy on the weighted goals.
    """
    plain = dataclasses.replace(
        problem,
        people=[dataclasses.replace(p, industry=None, years=None) for p in problem.people],
        weights=dataclasses.replace(problem.weights, industry=0, experience=0),
    )
    answer = buckets.solve_buckets(plain, plan, locks, seconds=seconds, start=greedy_start)
    if not answer.assignment:
        return None
    people = {p.key: p for p in problem.people}
    slot_of = {g.key: g.slot for g in plan.groups}
    size = problem.themes_per_group
    members: dict[str, list[Person]] = defaultdict(list)
    for person_key, group_key in answer.assignment.items():
        members[group_key].append(people[person_key])
    by_bucket: dict[tuple[str, frozenset[str]], list[str]] = defaultdict(list)
    for group_key, crowd in members.items():
        theme_set = frozenset(scoring.theme_plan(scoring.theme_support(crowd), size, problem.rankable_themes))
        by_bucket[slot_of[group_key], theme_set].append(group_key)
    quotas = scoring.band_quotas(problem, len(plan.groups))
    placed: dict[int, str] = dict(locks)
    for keys in by_bucket.values():
        crowd = [p for key in keys for p in members[key] if p.key not in locks]
        placed.update(buckets.deal(crowd, sorted(keys), problem, quotas))
    if set(placed) != set(greedy_start) or not _holds(problem, plan, placed):
        return None
    ours = scoring.weighted(problem, scoring.goal_values(problem, plan.groups, placed))
    theirs = scoring.weighted(problem, scoring.goal_values(problem, plan.groups, greedy_start))
    return placed if ours < theirs else None


def _closing_seconds(people: int) -> float:
    """Time kept for the work after the search (measuring the goals, the summaries): about 1 s per 2,000 people."""
    return 0.05 + people / 2_000


def _solve_in_cuts(
    problem: Problem, plan: SlotPlan, locks: dict[int, str], base: dict[int, str], seconds: float
) -> tuple[dict[int, str], int]:
    """The bucket model per cut of about ``CUT_SIZE`` people along greedy's groups; the placement and the cuts.

    Each cut keeps greedy's groups and the people greedy put in them, so a cut's people all fit its groups
    and the cuts never compete for a place. A cut the model cannot improve keeps greedy's placement.
    """
    started = time.perf_counter()
    cut_problem = dataclasses.replace(problem, part_limit=CUT_SIZE)
    cuts = _parts(cut_problem, plan, locks, base)
    placed: dict[int, str] = dict(locks)
    remaining = sum(len(part.people) for part, _ in cuts) or 1
    for part, _exact in cuts:
        budget = seconds - (time.perf_counter() - started)
        share = budget * len(part.people) / remaining
        remaining -= len(part.people)
        if share < CUT_MIN_SECONDS:
            # Out of time: this cut keeps greedy's placement.
            placed.update({p.key: base[p.key] for p in part.people if p.key in base})
            continue
        placed.update(_solve_cut(problem, part, locks, base, share))
    return buckets.renumber(placed, problem, set(locks.values()), {g.key for g in plan.groups}), len(cuts)


def _solve_cut(
    problem: Problem, part: Part, locks: dict[int, str], base: dict[int, str], seconds: float
) -> dict[int, str]:
    """One cut as a problem of its own: its people, their agreed slots among the cut's, its groups and locks."""
    started = time.perf_counter()
    slots = {g.slot for g in part.groups}
    keys = {g.key for g in part.groups}
    cut_locks = {k: g for k, g in locks.items() if g in keys}
    locked = [problem.person(k) for k in cut_locks]
    members = {p.key for p in part.people} | set(cut_locks)
    people = [dataclasses.replace(p, slots=p.slots & slots) for p in [*part.people, *locked]]
    sub = dataclasses.replace(
        problem,
        people=people,
        slots=[s for s in problem.slots if s in slots],
        locks=cut_locks,
        apart=[(a, b) for a, b in problem.apart if a in members and b in members],
        together=[(a, b) for a, b in problem.together if a in members and b in members],
        previous={},
        min_groups={},
    )
    groups = [GroupSpec(key=g.key, slot=g.slot, name=g.name) for g in part.groups]
    sub_plan = SlotPlan(groups=groups, quota={})
    start = {k: g for k, g in base.items() if k in members}
    start.update(cut_locks)
    first = (
        _themes_first(sub, sub_plan, cut_locks, start, seconds * 0.3) if len(part.people) > THEMES_FIRST_FROM else None
    )
    rest = max(0.1, seconds * (1 - CUT_LOCAL_SHARE) - (time.perf_counter() - started))
    answer = buckets.solve_buckets(sub, sub_plan, cut_locks, seconds=rest, start=first or start, quotas=part.quotas)
    chosen = start
    if answer.assignment:
        candidate = {**answer.assignment, **cut_locks}
        # (It may also place people greedy found no room for.)
        if set(candidate) == members and _holds(sub, sub_plan, candidate):
            chosen = candidate
    left = seconds - (time.perf_counter() - started)
    if left <= 0 or set(chosen) != set(start):
        return chosen
    # Win back, within the cut, any goal worse than greedy's there: industry, experience and themes add
    # up over the cuts to the whole's (balance and pairs are the final search's).
    floor = local.Search(sub, groups, start, quotas=part.quotas).goals()
    return local.improve(sub, groups, chosen, left, floor=floor, quotas=part.quotas)


def _weighted_of(problem: Problem, plan: SlotPlan, assignment: dict[int, str]) -> int:
    return scoring.weighted(problem, scoring.goal_values(problem, plan.groups, assignment))


def _complete(problem: Problem, assignment: dict[int, str], plan: SlotPlan) -> bool:
    """Whether ``assignment`` places every free person and keeps every hard rule."""
    wanted = {p.key for p in free_people(problem, plan.groups)}
    return wanted <= set(assignment) and _holds(problem, plan, assignment)


def _holds(problem: Problem, plan: SlotPlan, assignment: dict[int, str]) -> bool:
    """Whether ``assignment`` keeps every hard rule: sizes, agreed slots, must-not pairs."""
    slot = {g.key: g.slot for g in plan.groups}
    sizes: dict[str, int] = defaultdict(int)
    for g in plan.groups:
        sizes[g.key] += len(g.members)
    people = {p.key: p for p in problem.people}
    for person, group_key in assignment.items():
        if group_key not in slot or slot[group_key] not in people[person].slots:
            return False
        sizes[group_key] += 1
    if any(not problem.size_min <= n <= problem.size_max for n in sizes.values()):
        return False
    return not any(a in assignment and assignment.get(a) == assignment.get(b) for a, b in problem.apart)


def _solve_parts(
    problem: Problem,
    parts: list[tuple[Part, bool]],
    base: dict[int, str],
    relaxed: bool,
    conflicts: list[Conflict],
    left_out: set[int],
    deadline: float,
) -> tuple[dict[int, str], list[tuple[Part, bool, PartResult]], bool]:
    """Solve the parts one after another before ``deadline``, sharing out the time by their number of people."""
    assignment: dict[int, str] = dict(problem.locks)
    results: list[tuple[Part, bool, PartResult]] = []
    remaining = sum(len(part.people) for part, _ in parts) or 1
    for part, exact in parts:
        budget = max(0.1, deadline - time.perf_counter())
        share = budget * len(part.people) / max(1, remaining)
        remaining -= len(part.people)
        start = {p.key: base[p.key] for p in part.people if p.key in base}
        complete = len(start) == len(part.people)
        caps = part_values(problem, part, start) if exact and complete and not relaxed else None
        # First without the greedy caps, so that the solver's bound is a bound of the product's objective;
        # only when that answer is worse than greedy on some goal, again with the caps (keeping the first bound).
        part.caps = None
        result = solve_part(problem, part, share / 2 if caps else share, relaxed=relaxed)
        if caps and result.solved and not result.left_out:
            values = part_values(problem, part, result.assignment)
            if any(values[goal] > cap for goal, cap in caps.items()):
                part.caps = caps
                free = max(0.1, share - result.seconds)
                capped = solve_part(problem, part, free, relaxed=relaxed)
                if capped.solved:
                    capped.bound = min(result.bound, capped.objective)
                    capped.optimal = capped.objective <= result.bound
                    result = capped
        if not result.solved and not result.infeasible and complete:
            # Out of time before a first answer: the starting placement stands for this part.
            result = PartResult(
                assignment=start, objective=0, bound=0, optimal=False, solved=True, left_out=[], seconds=result.seconds
            )
            exact = False  # nothing proven for this part: only the limits that hold for any placement count
        if not result.solved and not relaxed:
            core = apart_core(problem, part)
            conflicts.append(core or Conflict(rule=Rule.CAPACITY, people=tuple(sorted(p.key for p in part.people))))
            result = solve_part(problem, part, max(0.5, share), relaxed=True)
            relaxed = True
        assignment.update(result.assignment)
        left_out.update(result.left_out)
        results.append((part, exact, result))
    return assignment, results, relaxed


def _bound(
    problem: Problem,
    plan: SlotPlan,
    results: list[tuple[Part, bool, PartResult]],
    objective: int,
    chosen_other: bool = False,
) -> tuple[int, bool]:
    """A proven lower limit of the objective, and whether every part was solved whole.

    Per set of connected slots: the solver's bound when the set was one part
    (never below the analytic limit), else the analytic limit. What no part
    models (pairs across parts, people whose previous group is gone) is the
    same for every placement the parts can make, so it is added as it is.
    """
    exact_all = all(exact for _, exact, _ in results)
    by_component: dict[frozenset[str], list[tuple[Part, bool, PartResult]]] = defaultdict(list)
    for part, exact, result in results:
        by_component[frozenset(g.slot for g in part.groups)].append((part, exact, result))
    modelled = sum(result.objective for _, _, result in results)
    bound = 0
    for entries in by_component.values():
        people = [p for part, _, _ in entries for p in part.people]
        fixed = [p for part, _, _ in entries for p in part.fixed.values()]
        groups = sum(len(part.groups) for part, _, _ in entries)
        limit = scoring.weighted(problem, scoring.analytic_bound(problem, people, groups, fixed))
        if len(entries) == 1 and entries[0][1] and entries[0][2].solved:
            bound += max(entries[0][2].bound, limit)
        else:
            bound += limit
    # (Only when the placement is the parts' own: otherwise the difference says nothing.)
    unmodelled = objective - modelled if exact_all and not chosen_other else 0
    return bound + max(0, unmodelled), exact_all


def _empty(status: Status, conflicts: list[Conflict], started: float) -> Proposal:
    return Proposal(
        status=status,
        assignment={},
        groups=[],
        goals=dict.fromkeys(GOALS, 0),
        objective=0,
        bound=0,
        gap=0.0,
        exact=True,
        parts=0,
        wall_time=time.perf_counter() - started,
        conflicts=conflicts,
    )
