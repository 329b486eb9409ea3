"""The needs summary: what the registrants want, for choosing and ordering themes and times.

Theme demand is counted with Borda points: in a ranking of the programme's n
rankable themes, the first place earns n points, the second n - 1, and so on;
a theme left out of a partial ranking earns nothing. First-choice counts are
shown beside the points, so a theme that few love and many tolerate is visible.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kollega.core.models import Programme


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class ThemeDemand:
    key: str
    label: str
    borda: int
    first_choices: int
    top_three: int
    rankings: int  # how many registrants ranked this theme at all


@dataclass
class NeedsSummary:
    respondents: int  # registrations counted (everyone who has not cancelled)
    rankings: int  # registrations with a theme ranking
    themes: list[ThemeDemand] = field(default_factory=list)  # most wanted first
    time_slots: list[Count] = field(default_factory=list)
    industries: list[Count] = field(default_factory=list)
    years_in_business: list[Count] = field(default_factory=list)
    regions: list[Count] = field(default_factory=list)
    channels: list[Count] = field(default_factory=list)


def needs_summary(*, programme: Programme) -> NeedsSummary:
    """The summary for one programme. Callers have checked access to ``programme``."""
    raise NotImplementedError
