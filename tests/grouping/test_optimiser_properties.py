"""Random instances: whatever comes in, every placed person obeys the hard rules, and no answer is silent."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kollega.grouping.optimiser import Person, Problem, Status, propose

SLOTS = ["morning", "afternoon", "evening"]
THEMES = ("goals", "work-and-time", "operating-environment", "networks", "recovery", "pricing-sales")


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    n = draw(st.integers(min_value=1, max_value=30))
    slots = SLOTS[: draw(st.integers(min_value=1, max_value=3))]
    people = []
    for key in range(1, n + 1):
        agreed = draw(st.sets(st.sampled_from(slots), min_size=0 if key == n else 1, max_size=len(slots)))
        people.append(
            Person(
                key=key,
                name=f"Person {key}",
                slots=frozenset(agreed),
                industry=draw(st.sampled_from("MMSGJR")),
                years=draw(st.integers(min_value=0, max_value=30)),
                themes=tuple(draw(st.permutations(THEMES))[: draw(st.integers(min_value=0, max_value=6))]),
            )
        )
    keys = [p.key for p in people]
    pairs = st.tuples(st.sampled_from(keys), st.sampled_from(keys)).filter(lambda ab: ab[0] != ab[1])
    apart = draw(st.lists(pairs, max_size=4, unique_by=lambda ab: frozenset(ab)))
    together = [
        pair
        for pair in draw(st.lists(pairs, max_size=3, unique_by=lambda ab: frozenset(ab)))
        if frozenset(pair) not in {frozenset(a) for a in apart}
    ]
    size_min = draw(st.integers(min_value=2, max_value=6))
    return Problem(
        people=people,
        slots=slots,
        size_min=size_min,
        size_max=draw(st.integers(min_value=size_min, max_value=12)),
        rankable_themes=THEMES,
        apart=apart,
        together=together,
        time_limit=1.0,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_placed_person_obeys_the_hard_rules(problem: Problem) -> None:
    proposal = propose(problem)
    people = {p.key: p for p in problem.people}
    slot_of = {g.key: g.slot for g in proposal.groups}
    if proposal.status in (Status.OPTIMAL, Status.FEASIBLE):
        assert set(proposal.assignment) == set(people)
        assert not proposal.left_out
    else:
        # Not everyone could be placed: the answer says who and why.
        assert proposal.conflicts
        assert proposal.left_out or not proposal.assignment
    for person, group in proposal.assignment.items():
        assert slot_of[group] in people[person].slots
    for size in Counter(proposal.assignment.values()).values():
        assert problem.size_min <= size <= problem.size_max
    for a, b in problem.apart:
        assert a not in proposal.assignment or proposal.assignment.get(a) != proposal.assignment.get(b)
    assert set(proposal.assignment).isdisjoint(proposal.left_out)
    assert proposal.bound <= proposal.objective or not proposal.ok
