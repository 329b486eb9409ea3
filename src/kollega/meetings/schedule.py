"""Laying out a group's meetings: the interval, public holidays and closed periods.

Pure functions of dates, so the rule is easy to test and the coordinator's
preview shows exactly what generating will store. Meeting *n* falls on the
group's start date plus (n − 1) × the interval. A date that is a public
holiday (Finland's, from the ``holidays`` package) or inside one of the
organisation's closed periods moves, by the programme's rule, either to the
next working day or to the same weekday a week later. Only that meeting
moves: the ones after it keep their own dates.

Times are wall-clock times in the organisation's time zone, so a 17:00
meeting stays at 17:00 across the change to or from summer time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import holidays as holiday_calendars
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kollega.core.models import MoveRule
from kollega.meetings.models import MoveReason

#: Whose public holidays count.
COUNTRY = "FI"
#: How far a meeting may be pushed before the schedule asks for a person to decide.
MAX_PUSH_DAYS = 70
#: The holidays package's names per interface language.
_HOLIDAY_LANGUAGES = {"fi": "fi", "sv": "sv_FI", "en": "en_US"}


@dataclass(frozen=True)
class Closed:
    """A closed period of the organisation, both days included."""

    name: str
    first: date
    last: date

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True)
class PlannedMeeting:
    number: int
    planned_date: date
    starts_at: datetime
    move_reason: str = MoveReason.NONE
    move_note: str = ""

    @property
    def moved(self) -> bool:
        return bool(self.move_reason)


@lru_cache(maxsize=32)
def _holidays(year: int, language: str) -> dict[date, str]:
    calendar = holiday_calendars.country_holidays(COUNTRY, years=[year], language=language)
    return dict(calendar.items())


def holiday_name(day: date, language: str | None = None) -> str:
    """The public holiday on ``day`` in the interface language, or ``""``."""
    code = _HOLIDAY_LANGUAGES.get((language or get_language() or "fi")[:2], "fi")
    return _holidays(day.year, code).get(day, "")


def blocked(day: date, closed: Sequence[Closed]) -> tuple[str, str] | None:
    """Why no meeting can be on ``day``: (reason, note), or None when the day is free."""
    name = holiday_name(day, "fi")
    if name:
        return MoveReason.HOLIDAY, name
    for period in closed:
        if period.covers(day):
            return MoveReason.CLOSED, period.name
    return None


def _working_day(day: date, closed: Sequence[Closed]) -> bool:
    return day.weekday() < 5 and blocked(day, closed) is None


def moved_date(day: date, rule: str, closed: Sequence[Closed]) -> date | None:
    """Where a meeting on the blocked ``day`` goes by ``rule``; None if nothing is free within MAX_PUSH_DAYS."""
    step = timedelta(days=7 if rule == MoveRule.NEXT_WEEK else 1)
    candidate = day + step
    while candidate - day <= timedelta(days=MAX_PUSH_DAYS):
        if rule == MoveRule.NEXT_WEEK:
            if blocked(candidate, closed) is None:
                return candidate
        elif _working_day(candidate, closed):
            return candidate
        candidate += step
    return None


def at(day: date, start: time, tz: ZoneInfo) -> datetime:
    """``start`` o'clock on ``day`` in ``tz`` (wall-clock time; summer time is the zone's business)."""
    return datetime.combine(day, start, tzinfo=tz)


def _day(value: date) -> str:
    return formats.date_format(value, "j.n.Y")


def plan(
    *,
    start_date: date,
    start_time: time,
    tz: ZoneInfo,
    count: int,
    interval_days: int,
    rule: str,
    closed: Iterable[Closed] = (),
) -> list[PlannedMeeting]:
    """The ``count`` meetings of a group, moved off holidays and closed periods.

    Raises ``ValidationError`` when a move would put a meeting on or past the
    next one's date, or when nothing is free for weeks (a long closed period):
    a person must then choose another start date or rule.
    """
    periods = list(closed)
    planned: list[PlannedMeeting] = []
    for index in range(count):
        day = start_date + timedelta(days=index * interval_days)
        why = blocked(day, periods)
        if why is None:
            planned.append(PlannedMeeting(number=index + 1, planned_date=day, starts_at=at(day, start_time, tz)))
            continue
        target = moved_date(day, rule, periods)
        if target is None:
            raise ValidationError(
                _(
                    "Meeting %(number)s on %(day)s falls in %(why)s, and no free day follows within ten weeks. "
                    "Choose another start date."
                )
                % {"number": index + 1, "day": _day(day), "why": why[1]}
            )
        planned.append(
            PlannedMeeting(
                number=index + 1,
                planned_date=day,
                starts_at=at(target, start_time, tz),
                move_reason=why[0],
                move_note=why[1],
            )
        )
    for earlier, later in pairwise(planned):
        if earlier.starts_at.date() >= later.starts_at.date():
            raise ValidationError(
                _(
                    "Meeting %(first)s would move to %(day)s, on or after meeting %(second)s. "
                    "Choose another start date or the other rule for moving meetings."
                )
                % {"first": earlier.number, "second": later.number, "day": _day(earlier.starts_at.date())}
            )
    return planned
