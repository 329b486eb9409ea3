"""WHO-5 and the work and peer support scale, scored against cases computed by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kollega.evaluation.wellbeing import (
    WHO5_ITEMS,
    Who5Score,
    peer_support_mean,
    who5,
    who5_change_is_reliable,
)


def answers(*values: int) -> dict[str, int]:
    return dict(zip(WHO5_ITEMS, values, strict=True))


@pytest.mark.parametrize(
    ("values", "raw", "percentage", "low"),
    [
        ((5, 5, 5, 5, 5), 25, 100, False),
        ((0, 0, 0, 0, 0), 0, 0, True),
        ((3, 3, 3, 2, 2), 13, 52, False),  # 13 is not below 13, no item at 0 or 1
        ((3, 3, 2, 2, 2), 12, 48, True),  # raw below 13
        ((5, 5, 5, 5, 1), 21, 84, True),  # a high score with one item at 1 is still a signal
        ((4, 3, 4, 2, 3), 16, 64, False),
    ],
)
def test_who5_raw_percentage_and_the_low_result_rule(values, raw, percentage, low) -> None:
    result = who5(answers(*values))
    assert result is not None
    assert (result.score.raw, result.score.percentage, result.is_low) == (raw, percentage, low)


def test_the_items_at_zero_or_one_are_named() -> None:
    result = who5(answers(4, 0, 4, 1, 4))
    assert result is not None and result.low_items == ("who5_2", "who5_4")


@pytest.mark.parametrize(
    "broken",
    [
        {"who5_1": 3, "who5_2": 3, "who5_3": 3, "who5_4": 3},  # one missing
        {**answers(3, 3, 3, 3, 3), "who5_5": 6},  # out of range
        {**answers(3, 3, 3, 3, 3), "who5_5": -1},
        {**answers(3, 3, 3, 3, 3), "who5_5": "3"},  # not a number
        {**answers(3, 3, 3, 3, 3), "who5_5": True},  # a yes is not a 1
    ],
)
def test_an_incomplete_or_invalid_who5_has_no_score(broken) -> None:
    assert who5(broken) is None


def test_one_persons_change_counts_only_beyond_24_points() -> None:
    before = Who5Score(raw=12, percentage=48)
    assert not who5_change_is_reliable(before, Who5Score(raw=17, percentage=68))  # +20 can be chance
    assert who5_change_is_reliable(before, Who5Score(raw=18, percentage=72))  # +24
    assert who5_change_is_reliable(before, Who5Score(raw=6, percentage=24))  # −24


def test_the_peer_support_mean_reverses_feeling_alone() -> None:
    # goals 4, work 3, changes 2, peers 5, alone 1 (rarely alone → 5): (4 + 3 + 2 + 5 + 5) / 5
    assert peer_support_mean(
        {"wps_goals": 4, "wps_work": 3, "wps_changes": 2, "wps_peers": 5, "wps_alone": 1}
    ) == pytest.approx(3.8)
    assert peer_support_mean({"wps_goals": 4, "wps_work": 3, "wps_changes": 2, "wps_peers": 5}) is None


@given(st.lists(st.integers(min_value=0, max_value=5), min_size=5, max_size=5))
def test_who5_percentage_is_always_four_times_raw_within_range(values) -> None:
    result = who5(answers(*values))
    assert result is not None
    assert 0 <= result.score.raw <= 25 and result.score.percentage == result.score.raw * 4
    assert result.is_low == (sum(values) < 13 or min(values) <= 1)
