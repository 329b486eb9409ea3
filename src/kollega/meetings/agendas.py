"""Agendas: ordered segments with durations, made from reusable session templates.

A segment is ``{"kind": SegmentKind, "minutes": int, "note": str}``. The
kind's name is translated when shown; the note is the coordinator's own text
(the talk's subject, the question for the pairs). A template's segments are
fitted to the meeting's length when it is copied, so a 90-minute programme
gets a 90-minute agenda from the same template.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kollega.meetings.models import Device, SegmentKind

#: A meeting longer than this without a break gets a warning.
BREAK_AFTER_MINUTES = 60
SEGMENT_MAX_MINUTES = 240
NOTE_MAX = 200

#: The templates every organisation starts with (120 minutes each), by name.
DEFAULT_TEMPLATES: dict[str, tuple[bool, list[dict[str, Any]]]] = {
    "first": (
        True,
        [
            {"kind": SegmentKind.WELCOME, "minutes": 10, "note": ""},
            {"kind": SegmentKind.INTRODUCTIONS, "minutes": 35, "note": ""},
            {"kind": SegmentKind.GROUND_RULES, "minutes": 20, "note": ""},
            {"kind": SegmentKind.BREAK, "minutes": 10, "note": ""},
            {"kind": SegmentKind.GROUP, "minutes": 30, "note": ""},
            {"kind": SegmentKind.CLOSING, "minutes": 15, "note": ""},
        ],
    ),
    "theme": (
        False,
        [
            {"kind": SegmentKind.WELCOME, "minutes": 10, "note": ""},
            {"kind": SegmentKind.TALK, "minutes": 30, "note": ""},
            {"kind": SegmentKind.PAIRS, "minutes": 20, "note": ""},
            {"kind": SegmentKind.BREAK, "minutes": 10, "note": ""},
            {"kind": SegmentKind.GROUP, "minutes": 35, "note": ""},
            {"kind": SegmentKind.CLOSING, "minutes": 15, "note": ""},
        ],
    ),
}


def default_template_name(key: str) -> str:
    return {"first": _("First meeting"), "theme": _("Theme meeting")}[key]


@dataclass(frozen=True)
class Segment:
    kind: str
    minutes: int
    note: str = ""
    starts_after: int = 0  # minutes from the meeting's start

    @property
    def label(self) -> str:
        try:
            return str(SegmentKind(self.kind).label)
        except ValueError:
            return self.kind

    @property
    def title(self) -> str:
        """What the agenda shows: the note for "other", else the kind with its note."""
        if self.kind == SegmentKind.OTHER and self.note:
            return self.note
        return f"{self.label}: {self.note}" if self.note else self.label


def clean_segments(raw: Any) -> list[dict[str, Any]]:
    """Check and normalise segments from a form, the API or a template; refuses what is not well-formed."""
    if not isinstance(raw, list) or not raw:
        raise ValidationError({"segments": _("An agenda needs at least one segment.")})
    cleaned = []
    for position, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise ValidationError({"segments": _("Segment %(n)s is not well-formed.") % {"n": position}})
        kind = str(item.get("kind", ""))
        if kind not in SegmentKind.values:
            raise ValidationError({"segments": _("Segment %(n)s: choose a kind of segment.") % {"n": position}})
        try:
            minutes = int(item.get("minutes", 0))
        except (TypeError, ValueError):
            minutes = 0
        if not 1 <= minutes <= SEGMENT_MAX_MINUTES:
            raise ValidationError(
                {
                    "segments": _("Segment %(n)s: give its length as whole minutes, 1 to %(max)s.")
                    % {"n": position, "max": SEGMENT_MAX_MINUTES}
                }
            )
        note = str(item.get("note", "") or "").strip()
        if len(note) > NOTE_MAX:
            raise ValidationError(
                {
                    "segments": _("Segment %(n)s: the note is longer than %(max)s characters.")
                    % {"n": position, "max": NOTE_MAX}
                }
            )
        cleaned.append({"kind": kind, "minutes": minutes, "note": note})
    return cleaned


def segments(agenda: Iterable[dict[str, Any]]) -> list[Segment]:
    """The agenda as segments with their start offsets; items that are not well-formed are left out."""
    result = []
    offset = 0
    for item in agenda or []:
        if not isinstance(item, dict):
            continue
        try:
            minutes = int(item.get("minutes", 0))
        except (TypeError, ValueError):
            continue
        result.append(
            Segment(
                kind=str(item.get("kind", "")),
                minutes=minutes,
                note=str(item.get("note", "") or ""),
                starts_after=offset,
            )
        )
        offset += minutes
    return result


def fit(agenda: Sequence[dict[str, Any]], length_minutes: int) -> list[dict[str, Any]]:
    """Scale the segments to ``length_minutes`` in whole 5-minute steps, breaks kept as they are."""
    total = sum(int(item["minutes"]) for item in agenda)
    if not agenda or total == length_minutes:
        return [dict(item) for item in agenda]
    fixed = sum(int(item["minutes"]) for item in agenda if item["kind"] == SegmentKind.BREAK)
    flexible = total - fixed
    room = max(length_minutes - fixed, 0)
    fitted = []
    for item in agenda:
        minutes = int(item["minutes"])
        if item["kind"] != SegmentKind.BREAK and flexible:
            minutes = max(5, round(minutes * room / flexible / 5) * 5)
        fitted.append({**item, "minutes": minutes})
    # Put the rounding difference on the longest discussion so the total is exact.
    difference = length_minutes - sum(item["minutes"] for item in fitted)
    if difference:
        longest = max(
            (i for i, item in enumerate(fitted) if item["kind"] != SegmentKind.BREAK),
            key=lambda i: fitted[i]["minutes"],
            default=None,
        )
        if longest is not None and fitted[longest]["minutes"] + difference >= 1:
            fitted[longest]["minutes"] += difference
    return fitted


def device(agenda: Iterable[dict[str, Any]]) -> str:
    """A writing task needs a computer or a tablet; discussion alone works on a phone."""
    return Device.COMPUTER if any(s.kind == SegmentKind.WRITING for s in segments(agenda)) else Device.ANY


def warnings(agenda: Iterable[dict[str, Any]], length_minutes: int) -> list[str]:
    """What the coordinator should look at: no break in a long meeting, a total that is not the meeting's length."""
    parts = segments(agenda)
    found = []
    if length_minutes > BREAK_AFTER_MINUTES and not any(s.kind == SegmentKind.BREAK for s in parts):
        found.append(
            _("The meeting is longer than %(limit)s minutes and has no break.") % {"limit": BREAK_AFTER_MINUTES}
        )
    total = sum(s.minutes for s in parts)
    if parts and total != length_minutes:
        found.append(
            _("The agenda takes %(total)s minutes; the meeting is %(length)s minutes long.")
            % {"total": total, "length": length_minutes}
        )
    return found
