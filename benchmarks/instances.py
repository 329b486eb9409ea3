"""A seeded generator of realistic grouping instances, for the benchmark and the tests.

The proportions are invented but shaped like a Finnish regional programme:
most people can make one time of day, a quarter two, a few any; industries
lean towards professional services, trade and other services; about a third
have been in business for under three years; theme wishes lean towards goals
and work-and-time, as the pilot's needs survey did.
"""

from __future__ import annotations

import random

from kollega.grouping.optimiser.problem import Person, Problem

SLOT_NAMES = ("morning", "afternoon", "evening", "saturday")
SLOT_WEIGHTS = (0.42, 0.33, 0.17, 0.08)
INDUSTRIES = "MSGJNRQFPICHLKAE"
INDUSTRY_WEIGHTS = (24, 14, 11, 9, 7, 7, 6, 5, 4, 4, 3, 2, 1.5, 1.5, 1, 1)
THEMES = ("goals", "work-and-time", "operating-environment", "networks", "recovery", "pricing-sales")
THEME_WEIGHTS = (8, 7, 4, 3, 5, 6)
REGIONS = ("Uusimaa", "Pirkanmaa", "Varsinais-Suomi", "Pohjois-Pohjanmaa", "Keski-Suomi", "Pohjanmaa", "Lappi")


def _weighted_order(rng: random.Random, items: tuple[str, ...], weights: tuple[float, ...]) -> list[str]:
    keyed = [(rng.random() ** (1.0 / w), item) for item, w in zip(items, weights, strict=True)]
    return [item for _, item in sorted(keyed, reverse=True)]


def instance(size: int, slots: int = 2, seed: int = 1, time_limit: float = 30.0) -> Problem:
    """``size`` fictitious people over ``slots`` time slots (2–4), reproducible from ``seed``."""
    rng = random.Random(seed * 1_000_003 + size)
    names = SLOT_NAMES[:slots]
    weights = SLOT_WEIGHTS[:slots]
    people = []
    for key in range(1, size + 1):
        roll = rng.random()
        first = rng.choices(names, weights)[0]
        if roll < 0.70 or slots == 1:
            agreed = {first}
        elif roll < 0.95:
            agreed = {first, rng.choice([s for s in names if s != first])}
        else:
            agreed = set(names)
        roll = rng.random()
        low, high = (0, 2) if roll < 0.32 else (3, 9) if roll < 0.77 else (10, 35)
        years = rng.randint(low, high)
        ranked = _weighted_order(rng, THEMES, THEME_WEIGHTS)[: rng.choice((3, 4, 6, 6))]
        people.append(
            Person(
                key=key,
                name=f"Entrepreneur {key:05d}",
                slots=frozenset(agreed),
                industry=rng.choices(INDUSTRIES, INDUSTRY_WEIGHTS)[0],
                years=years,
                region=rng.choice(REGIONS),
                themes=tuple(ranked),
            )
        )
    return Problem(
        people=people,
        slots=list(names),
        rankable_themes=THEMES,
        themes_per_group=4,
        time_limit=time_limit,
        seed=seed,
    )
