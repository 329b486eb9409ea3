"""The proven bound never exceeds the true best, and "optimal" means it: every split of tiny instances is tried."""

from __future__ import annotations

import itertools
import random

import pytest

from kollega.grouping.optimiser import GroupSpec, Person, Problem, Status, propose
from kollega.grouping.optimiser.scoring import goal_values, weighted

THEMES = ("goals", "work-and-time", "operating-environment", "networks", "recovery", "pricing-sales")


def tiny(seed: int, stored: bool) -> Problem:
    rng = random.Random(seed)
    people = [
        Person(
            key=k,
            name=f"P{k}",
            slots=frozenset({"morning"}),
            industry=rng.choice("MMSGJ"),
            years=rng.choice([0, 1, 4, 6, 12, 20]),
            themes=tuple(rng.sample(THEMES, rng.randint(1, 4))),
        )
        for k in range(1, 9)
    ]
    groups = [GroupSpec(key="a", slot="morning"), GroupSpec(key="b", slot="morning")] if stored else []
    return Problem(
        people=people,
        slots=["morning"],
        groups=groups,
        size_min=4,
        size_max=4,
        themes_per_group=2,
        rankable_themes=THEMES,
        together=[(1, 2)] if seed % 3 == 0 else [],
        time_limit=5,
        seed=seed,
    )


def true_best(problem: Problem) -> int:
    keys = [p.key for p in problem.people]
    groups = problem.groups or [GroupSpec(key="morning#1", slot="morning"), GroupSpec(key="morning#2", slot="morning")]
    best = None
    for first in itertools.combinations(keys[1:], 3):
        one = {keys[0], *first}
        assignment = {k: groups[0].key if k in one else groups[1].key for k in keys}
        value = weighted(problem, goal_values(problem, groups, assignment))
        best = value if best is None else min(best, value)
    assert best is not None
    return best


@pytest.mark.parametrize("stored", [False, True], ids=["opened groups", "stored groups"])
@pytest.mark.parametrize("seed", range(8))
def test_the_bound_holds_and_optimal_is_true(seed: int, stored: bool) -> None:
    problem = tiny(seed, stored)
    proposal = propose(problem)
    best = true_best(problem)
    assert proposal.ok
    assert proposal.bound <= best <= proposal.objective
    if proposal.status == Status.OPTIMAL:
        assert proposal.objective == best
