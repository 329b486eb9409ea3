"""Scoring the two well-being instruments: the WHO-5 Well-Being Index and Kollega's work and peer support scale.

Pure functions over answers keyed by question key; no database. The facts:

- WHO-5 has five items answered 0 (at no time) to 5 (all of the time). The raw
  score is their sum, 0–25; the percentage score is raw × 4, 0–100.
- A raw score below 13, or any single item at 0 or 1, signals low well-being.
- For one person, a change of less than about 24 percentage points can be
  chance (the instrument's minimal detectable change); for a group, about 10
  points is a meaningful change.
- The work and peer support scale has five items on a 1–5 scale (1 = not at all
  true, 5 = completely true). "I feel alone with my business" is worded the other
  way round, so it is reversed (6 − answer) before the mean is taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

WHO5_ITEMS = ("who5_1", "who5_2", "who5_3", "who5_4", "who5_5")
WHO5_ITEM_MIN, WHO5_ITEM_MAX = 0, 5
WHO5_LOW_RAW = 13  # a raw score below this suggests poor well-being
WHO5_LOW_ITEM = 1  # any item at or below this also signals low well-being
#: One person's change smaller than this (percentage points) can be chance.
WHO5_INDIVIDUAL_MDC = 24
#: A group's mean change of at least this (percentage points) is meaningful.
WHO5_GROUP_CHANGE = 10

PEER_SUPPORT_ITEMS = ("wps_goals", "wps_work", "wps_changes", "wps_peers", "wps_alone")
PEER_SUPPORT_REVERSED = frozenset({"wps_alone"})
PEER_SUPPORT_MIN, PEER_SUPPORT_MAX = 1, 5


@dataclass(frozen=True)
class Who5Score:
    raw: int  # 0–25
    percentage: int  # 0–100

    @property
    def is_low_raw(self) -> bool:
        return self.raw < WHO5_LOW_RAW


@dataclass(frozen=True)
class Who5Result:
    score: Who5Score
    low_items: tuple[str, ...]  # items answered 0 or 1

    @property
    def is_low(self) -> bool:
        """The rule that shows a participant the kind note with support contacts."""
        return self.score.is_low_raw or bool(self.low_items)


def _item(answers: Mapping[str, Any], key: str, low: int, high: int) -> int | None:
    value = answers.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def who5(answers: Mapping[str, Any]) -> Who5Result | None:
    """The WHO-5 result, or None unless all five items have a valid answer (a partial score means nothing)."""
    items = [_item(answers, key, WHO5_ITEM_MIN, WHO5_ITEM_MAX) for key in WHO5_ITEMS]
    if any(item is None for item in items):
        return None
    values = [item for item in items if item is not None]
    raw = sum(values)
    low = tuple(key for key, value in zip(WHO5_ITEMS, values, strict=True) if value <= WHO5_LOW_ITEM)
    return Who5Result(score=Who5Score(raw=raw, percentage=raw * 4), low_items=low)


def who5_change_is_reliable(before: Who5Score, after: Who5Score) -> bool:
    """Whether one person's change is larger than what chance alone can make."""
    return abs(after.percentage - before.percentage) >= WHO5_INDIVIDUAL_MDC


def peer_support_mean(answers: Mapping[str, Any]) -> float | None:
    """The scale's mean, 1–5 (higher is better, the "alone" item reversed); None unless every item is answered."""
    values = []
    for key in PEER_SUPPORT_ITEMS:
        value = _item(answers, key, PEER_SUPPORT_MIN, PEER_SUPPORT_MAX)
        if value is None:
            return None
        values.append(PEER_SUPPORT_MIN + PEER_SUPPORT_MAX - value if key in PEER_SUPPORT_REVERSED else value)
    return sum(values) / len(values)
