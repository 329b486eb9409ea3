"""The local search and the cut-apart path for large programmes: rules kept, goals counted right, floors won back."""

from __future__ import annotations

import dataclasses

import pytest

from kollega.grouping.optimiser import GOALS, Status, buckets, propose, scoring, solve
from kollega.grouping.optimiser.local import Search, improve
from kollega.grouping.optimiser.plan import greedy, slot_plan
from tests.grouping.test_optimiser import check_hard_rules, instances


def _industry_heavy_placement(problem, plan):
    """A legal placement that crowds each industry together: the worst start for the industry goal."""
    by_slot: dict[str, list] = {}
    for g in plan.groups:
        by_slot.setdefault(g.slot, []).append(g)
    placement = greedy(problem, plan)
    for slot, groups in by_slot.items():
        crowd = sorted(
            (k for k, g in placement.items() if g.startswith(slot + "#")),
            key=lambda k: problem.person(k).industry or "",
        )
        sizes = [sum(1 for g in placement.values() if g == spec.key) for spec in groups]
        i = 0
        for spec, size in zip(groups, sizes, strict=True):
            for key in crowd[i : i + size]:
                placement[key] = spec.key
            i += size
    return placement


def test_the_running_totals_are_the_goals_as_scoring_counts_them():
    problem = instances.instance(60, slots=2, seed=4)
    problem.together = [(1, 2), (3, 4)]
    problem.apart = [(5, 6)]
    problem.previous = dict.fromkeys(range(1, 15), "morning#1")
    plan = slot_plan(problem)
    start = greedy(problem, plan)
    search = Search(problem, plan.groups, start, floor=None)
    assert search.goals() == scoring.goal_values(problem, plan.groups, start)
    placed = search.run(2.0, seed=1)
    assert search.goals() == scoring.goal_values(problem, plan.groups, placed)


def test_a_goal_worse_than_greedy_is_won_back_and_the_hard_rules_hold():
    problem = instances.instance(96, slots=2, seed=2)
    problem.apart = [(1, 2), (3, 4), (5, 6)]
    plan = slot_plan(problem)
    floor = scoring.goal_values(problem, plan.groups, greedy(problem, plan))
    start = _industry_heavy_placement(problem, plan)
    # The crowded start is far worse than greedy on industries.
    assert scoring.goal_values(problem, plan.groups, start)["industry"] > floor["industry"] + 10

    problem.locks = {7: start[7], 8: start[8]}
    better = improve(problem, plan.groups, start, 5.0, floor=floor)

    values = scoring.goal_values(problem, plan.groups, better)
    for goal in GOALS:
        assert values[goal] <= max(floor[goal], scoring.goal_values(problem, plan.groups, start)[goal]), goal
    assert values["industry"] <= floor["industry"]
    assert scoring.weighted(problem, values) < scoring.weighted(
        problem, scoring.goal_values(problem, plan.groups, start)
    )
    groups = scoring.summaries(problem, plan.groups, better)
    check_hard_rules(problem, better, [dataclasses.replace(g, members=g.members) for g in groups])
    assert better[7] == start[7] and better[8] == start[8], "locked people stay where they are"


def test_a_change_never_lifts_a_goal_above_greedy_s_value_unless_the_goal_is_switched_off():
    problem = instances.instance(60, slots=1, seed=3)
    plan = slot_plan(problem)
    start = greedy(problem, plan)
    floor = scoring.goal_values(problem, plan.groups, start)
    search = Search(problem, plan.groups, start, floor=floor)
    # One more industry clash for far fewer unmet wishes: refused, however much it would gain.
    assert search.price([1, 0, -50, 0, 0, 0]) is None
    assert search.price([-1, 0, -3, 0, 0, 0]) == -3 - 2 * 3
    switched_off = dataclasses.replace(problem, weights=dataclasses.replace(problem.weights, industry=0))
    search = Search(switched_off, plan.groups, start, floor=floor)
    assert search.price([1, 0, -50, 0, 0, 0]) == -100


def test_a_rerun_with_fewer_groups_is_never_given_a_group_the_plan_no_longer_has():
    problem = instances.instance(40, slots=1, seed=2)
    problem.previous = {k: ("morning#1" if k % 2 else "morning#9") for k in range(1, 41)}
    placement = {k: ("morning#1" if k <= 20 else "morning#2") for k in range(1, 41)}
    renamed = buckets.renumber(placement, problem, keep=set(), known={"morning#1", "morning#2"})
    assert set(renamed.values()) <= {"morning#1", "morning#2"}
    assert len(set(renamed.values())) == 2


def test_an_empty_or_foreign_placement_is_given_back_unchanged():
    problem = instances.instance(30, slots=1, seed=1)
    plan = slot_plan(problem)
    assert improve(problem, plan.groups, {}, 1.0) == {}
    foreign = {1: "nowhere#1"}
    assert improve(problem, plan.groups, foreign, 1.0) == foreign


@pytest.fixture
def small_cuts(monkeypatch):
    """Make the cut-apart path, meant for thousands of people, apply to a test-sized programme."""
    monkeypatch.setattr(solve, "WHOLE_LIMIT", 100)
    monkeypatch.setattr(solve, "CUT_SIZE", 60)


def test_a_large_programme_is_solved_in_cuts_and_says_the_split_is_not_exact(small_cuts):
    problem = instances.instance(200, slots=3, seed=5, time_limit=12)
    problem.apart = [(10, 11), (12, 13)]
    problem.locks = {}
    proposal = propose(problem)

    assert proposal.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert proposal.parts > 1
    assert proposal.exact is False and "split_not_exact" in proposal.notes
    assert set(proposal.assignment) == {p.key for p in problem.people}
    check_hard_rules(problem, proposal.assignment, proposal.groups)
    plan = slot_plan(problem)
    limit = scoring.weighted(problem, scoring.analytic_bound(problem, problem.people, len(plan.groups)))
    assert limit <= proposal.bound <= proposal.objective
    for goal in GOALS:
        assert proposal.goals[goal] <= proposal.baseline_goals[goal], goal
    assert proposal.wall_time < problem.time_limit + 5


def test_locks_hold_when_a_large_programme_is_cut(small_cuts):
    problem = instances.instance(180, slots=2, seed=6, time_limit=6)
    first = propose(problem)
    locked = dict(sorted(first.assignment.items())[:15])
    again = propose(dataclasses.replace(problem, locks=locked))
    assert again.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert again.parts > 1, "the programme was cut"
    for person, group in locked.items():
        assert again.assignment[person] == group
    check_hard_rules(dataclasses.replace(problem, locks=locked), again.assignment, again.groups)
