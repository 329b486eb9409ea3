"""The optimiser on small instances: hard rules hold, the proof is honest, and impossible input is explained."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path

import pytest

from kollega.grouping.optimiser import GOALS, Person, Problem, Rule, Status, propose

_spec = importlib.util.spec_from_file_location(
    "kollega_bench_instances", Path(__file__).resolve().parents[2] / "benchmarks" / "instances.py"
)
assert _spec and _spec.loader
instances = importlib.util.module_from_spec(_spec)
sys.modules["kollega_bench_instances"] = instances
_spec.loader.exec_module(instances)


def check_hard_rules(problem: Problem, assignment: dict[int, str], groups: list) -> None:
    people = {p.key: p for p in problem.people}
    slot_of = {g.key: g.slot for g in groups}
    for person, group in assignment.items():
        assert slot_of[group] in people[person].slots, "placed at a time the person did not agree to"
    for g in groups:
        if g.members:
            assert problem.size_min <= len(g.members) <= problem.size_max
        assert Counter(assignment.values())[g.key] <= len(g.members)
    for a, b in problem.apart:
        assert assignment.get(a) is None or assignment.get(a) != assignment.get(b)
    for person, group in problem.locks.items():
        assert assignment[person] == group


def test_pilot_size_is_proven_optimal_and_no_goal_is_worse_than_greedy():
    problem = instances.instance(23, slots=2, seed=3, time_limit=10)
    proposal = propose(problem)
    assert proposal.status == Status.OPTIMAL
    assert proposal.gap == 0
    assert set(proposal.assignment) == {p.key for p in problem.people}
    check_hard_rules(problem, proposal.assignment, proposal.groups)
    for goal in GOALS:
        assert proposal.goals[goal] <= proposal.baseline_goals[goal], goal
    assert proposal.bound <= proposal.objective


def test_the_fewest_groups_the_sizes_allow_are_opened():
    problem = instances.instance(40, slots=1, seed=2, time_limit=5)
    proposal = propose(problem)
    assert proposal.ok
    assert len([g for g in proposal.groups if g.members]) == 4  # 40 people, at most 12 each


def test_locks_and_must_not_pairs_hold():
    problem = instances.instance(30, slots=2, seed=5, time_limit=5)
    first = propose(problem)
    person = problem.people[0].key
    problem.locks = {person: first.assignment[person]}
    same_group = [k for k, g in first.assignment.items() if g == first.assignment[person] and k != person]
    problem.apart = [(person, same_group[0])]
    second = propose(problem)
    assert second.ok
    assert second.assignment[person] == first.assignment[person]
    assert second.assignment[same_group[0]] != second.assignment[person]


def test_a_person_without_a_time_slot_is_named_and_left_out_of_the_nearest_proposal():
    problem = instances.instance(24, slots=2, seed=1, time_limit=5)
    lost = Person(key=999, name="Nobody Slot", slots=frozenset({"sunday"}))
    problem.people.append(lost)
    proposal = propose(problem)
    assert proposal.status == Status.PARTIAL
    assert proposal.left_out == [999]
    assert proposal.conflicts[0].rule == Rule.NO_SLOT
    assert proposal.conflicts[0].people == (999,)
    check_hard_rules(problem, proposal.assignment, proposal.groups)


def test_too_few_people_for_a_group_is_explained():
    people = [Person(key=i, name=f"P{i}", slots=frozenset({"morning"})) for i in range(1, 5)]
    proposal = propose(Problem(people=people, slots=["morning"], time_limit=5))
    assert not proposal.ok
    assert proposal.conflicts
    assert proposal.conflicts[0].rule == Rule.SIZES
    assert set(proposal.conflicts[0].people) == {1, 2, 3, 4}


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"time_limit": 0}, Rule.TIME_LIMIT),
        ({"apart": [(1, 2)], "together": [(2, 1)]}, Rule.PAIR_CONTRADICTS),
        ({"apart": [(1, 1)]}, Rule.PAIR_SELF),
    ],
)
def test_input_no_proposal_can_follow_is_refused(change, rule):
    problem = instances.instance(20, slots=1, seed=1, time_limit=5)
    for key, value in change.items():
        setattr(problem, key, value)
    proposal = propose(problem)
    assert proposal.status == Status.INVALID
    assert rule in {c.rule for c in proposal.conflicts}


def test_a_must_not_pair_in_a_one_group_slot_gets_a_second_group_rather_than_leaving_anyone_out():
    people = [Person(key=i, name=f"P{i}", slots=frozenset({"morning"}), industry="M") for i in range(1, 13)]
    proposal = propose(Problem(people=people, slots=["morning"], apart=[(1, 2)], time_limit=5))
    assert proposal.ok, proposal.conflicts
    assert not proposal.left_out
    assert len(set(proposal.assignment.values())) == 2
    assert proposal.assignment[1] != proposal.assignment[2]


def test_a_partial_proposal_reports_a_bound_no_higher_than_its_objective():
    people = [Person(key=i, name=f"P{i}", slots=frozenset({"morning"}), industry="M") for i in range(1, 8)]
    # Seven people, groups of at least six, and 1 must be apart from everyone: one is left out.
    apart = [(1, k) for k in range(2, 8)]
    proposal = propose(Problem(people=people, slots=["morning"], apart=apart, time_limit=3))
    assert proposal.status == Status.PARTIAL
    assert proposal.left_out
    assert proposal.bound <= proposal.objective
