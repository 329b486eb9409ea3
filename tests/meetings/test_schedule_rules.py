"""Laying out meetings: the interval, Finnish public holidays, closed periods, and summer time."""

from __future__ import annotations

from datetime import UTC, date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from kollega.core.models import MoveRule
from kollega.meetings.models import MoveReason
from kollega.meetings.schedule import Closed, holiday_name, plan

HELSINKI = ZoneInfo("Europe/Helsinki")


def layout(start: date, rule: str = MoveRule.NEXT_WORKING_DAY, closed=(), count: int = 5, interval: int = 21):
    return plan(
        start_date=start,
        start_time=time(17, 0),
        tz=HELSINKI,
        count=count,
        interval_days=interval,
        rule=rule,
        closed=closed,
    )


def test_meetings_follow_the_interval_when_nothing_is_in_the_way():
    meetings = layout(date(2027, 2, 2))  # a Tuesday
    assert [m.starts_at.date() for m in meetings] == [date(2027, 2, 2) + timedelta(days=21 * i) for i in range(5)]
    assert not any(m.moved for m in meetings)
    assert all(m.starts_at.weekday() == 1 for m in meetings)


def test_a_meeting_on_a_holiday_moves_to_the_next_working_day_and_only_that_one():
    # Independence Day, 6 December 2027, is a Monday; the group meets on Mondays.
    meetings = layout(date(2027, 11, 15))
    moved = [m for m in meetings if m.moved]
    assert [(m.number, m.planned_date, m.starts_at.date()) for m in moved] == [
        (2, date(2027, 12, 6), date(2027, 12, 7))
    ]
    assert moved[0].move_reason == MoveReason.HOLIDAY
    assert moved[0].move_note == "Itsenäisyyspäivä"
    # The next meeting keeps its own date, three weeks after the planned one.
    assert meetings[2].starts_at.date() == date(2027, 12, 27)
    assert meetings[2].starts_at.time() == time(17, 0)


def test_a_meeting_on_a_holiday_can_move_a_week_later_instead():
    meetings = layout(date(2027, 11, 15), rule=MoveRule.NEXT_WEEK)
    assert meetings[1].starts_at.date() == date(2027, 12, 13)
    assert meetings[1].starts_at.weekday() == 0


def test_next_working_day_skips_a_weekend_and_a_second_holiday():
    # Christmas Eve 2027 is a Friday: Christmas Day and Boxing Day follow, then the weekend ends.
    meetings = layout(date(2027, 12, 3), count=2)
    assert meetings[1].planned_date == date(2027, 12, 24)
    assert meetings[1].starts_at.date() == date(2027, 12, 27)


def test_a_closed_period_moves_the_meeting_and_names_the_period():
    closed = [Closed(name="Talviloma", first=date(2027, 2, 22), last=date(2027, 2, 26))]
    meetings = layout(date(2027, 2, 2), closed=closed)
    moved = [m for m in meetings if m.moved]
    assert [(m.number, m.starts_at.date(), m.move_reason, m.move_note) for m in moved] == [
        (2, date(2027, 3, 1), MoveReason.CLOSED, "Talviloma")
    ]


def test_a_move_past_the_next_meeting_is_refused_with_the_meetings_named():
    closed = [Closed(name="Kesä", first=date(2027, 6, 1), last=date(2027, 6, 30))]
    with pytest.raises(ValidationError) as error:
        layout(date(2027, 6, 1), rule=MoveRule.NEXT_WEEK, closed=closed, interval=7)
    assert "Meeting 1" in error.value.messages[0]


def test_a_closed_period_of_months_asks_for_another_start_date():
    closed = [Closed(name="Remontti", first=date(2027, 3, 1), last=date(2027, 6, 30))]
    with pytest.raises(ValidationError) as error:
        layout(date(2027, 3, 2), closed=closed, count=1)
    assert "Remontti" in error.value.messages[0]


def test_wall_clock_time_holds_across_the_change_to_summer_time():
    # Finland moves its clocks on 28 March 2027: 17:00 is 15:00 UTC before and 14:00 UTC after.
    meetings = layout(date(2027, 3, 16), count=2, interval=14)
    before, after = (m.starts_at.astimezone(UTC) for m in meetings)
    assert (before.hour, after.hour) == (15, 14)
    assert all(m.starts_at.astimezone(HELSINKI).time() == time(17, 0) for m in meetings)


def test_holiday_names_follow_the_language():
    assert holiday_name(date(2027, 12, 6), "fi") == "Itsenäisyyspäivä"
    assert holiday_name(date(2027, 12, 6), "sv") == "Självständighetsdagen"
    assert holiday_name(date(2027, 12, 6), "en") == "Independence Day"
    assert holiday_name(date(2027, 12, 7), "en") == ""
