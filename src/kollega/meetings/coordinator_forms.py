"""Forms of the coordinator's schedule pages. They parse input; the services decide what is allowed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.accounts.models import User
from kollega.core.models import MoveRule, Programme, Theme
from kollega.meetings import agendas
from kollega.meetings.models import Meeting, SegmentKind, SessionTemplate

#: Empty rows offered below an agenda's segments, and how many rows a table may have in all.
SEGMENT_ROWS_EXTRA = 3
SEGMENT_ROWS_MAX = 20


def apply_errors(form: forms.Form, exc: ValidationError, fields: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on ``form``: next to the field it names, else at the top.

    ``fields`` maps the service's names to the form's (``starts_at`` → ``date``).
    """
    names = fields or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = names.get(name, name)
            for error in errors:
                form.add_error(target if target in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class MoveRuleForm(forms.Form):
    """Where a meeting on a holiday or in a closed period goes; changing it re-shows the preview."""

    rule = forms.ChoiceField(
        label=_("A meeting that falls on a public holiday or in a closed period moves to"),
        choices=MoveRule.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose one of the two ways of moving a meeting.")},
    )

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"rule": programme.move_rule})
        super().__init__(*args, **kwargs)
        self.programme = programme

    def value(self) -> str:
        """The rule chosen, or the programme's own when none (or no valid one) was chosen."""
        if self.is_bound and self.is_valid():
            return str(self.cleaned_data["rule"])
        return self.programme.move_rule


class _WhenForm(forms.Form):
    """A date and a start time, typed in the organisation's time zone."""

    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the date."), "invalid": _("Give the date as a day, month and year.")},
    )
    time = forms.TimeField(
        label=_("Start time"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"required": _("Give the start time."), "invalid": _("Give the time as hours and minutes.")},
    )

    def __init__(self, *args: Any, tz: ZoneInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz

    def starts_at(self) -> datetime:
        return datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"], tzinfo=self.tz)


class MeetingMoveForm(_WhenForm):
    note = forms.CharField(
        label=_("Why it moves"),
        max_length=200,
        required=False,
        help_text=_("The group sees this with the new time."),
    )

    def __init__(self, *args: Any, meeting: Meeting, tz: ZoneInfo, **kwargs: Any) -> None:
        local = timezone.localtime(meeting.starts_at, tz)
        kwargs.setdefault("initial", {"date": local.date(), "time": local.time().replace(second=0, microsecond=0)})
        kwargs.setdefault("prefix", "move")
        super().__init__(*args, tz=tz, **kwargs)
        self.fields["date"].label = _("New date")
        self.fields["time"].label = _("New start time")


def _theme_choices(themes: list[Theme]) -> list[tuple[str, str]]:
    return [("", str(_("No theme"))), *((str(t.pk), t.label) for t in themes)]


class _ThemeMixin:
    themes: dict[int, Theme]
    cleaned_data: dict[str, Any]

    def chosen_theme(self) -> Theme | None:
        value = self.cleaned_data.get("theme")
        return self.themes[int(value)] if value else None


class MeetingAddForm(_ThemeMixin, _WhenForm):
    theme = forms.ChoiceField(
        label=_("Theme"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the programme's themes.")},
    )
    length_minutes = forms.IntegerField(
        label=_("Length in minutes"),
        min_value=15,
        max_value=480,
        error_messages={
            "required": _("Give the meeting's length in minutes."),
            "invalid": _("Give the length as whole minutes."),
            "min_value": _("A meeting lasts 15 minutes to 8 hours."),
            "max_value": _("A meeting lasts 15 minutes to 8 hours."),
        },
    )

    def __init__(self, *args: Any, programme: Programme, themes: list[Theme], tz: ZoneInfo, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"length_minutes": programme.meeting_length_minutes})
        super().__init__(*args, tz=tz, **kwargs)
        self.themes = {t.pk: t for t in themes}
        self.fields["theme"].choices = _theme_choices(themes)  # type: ignore[attr-defined]


class MeetingCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,
        help_text=_("Kept in the log for the coordinators."),
    )
    confirm = forms.BooleanField(
        label=_("Yes, cancel this meeting. Everyone invited gets a cancellation of the calendar entry."),
        error_messages={"required": _("Tick the box to confirm that the meeting is cancelled.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "cancel")
        super().__init__(*args, **kwargs)


class MeetingFacilitatorsForm(forms.Form):
    """This meeting's facilitators; empty means the group's own."""

    lead = forms.ChoiceField(label=_("Lead facilitator"), required=False)
    co = forms.ChoiceField(label=_("Co-facilitator"), required=False)

    def __init__(self, *args: Any, meeting: Meeting, people: dict[int, User], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "facilitators")
        kwargs.setdefault("initial", {"lead": meeting.lead_facilitator_id or "", "co": meeting.co_facilitator_id or ""})
        super().__init__(*args, **kwargs)
        self.people = people
        group = meeting.group
        listed = [(str(pk), str(user)) for pk, user in sorted(people.items(), key=lambda i: (str(i[1]), i[0]))]
        for name, own in (("lead", group.lead_facilitator), ("co", group.co_facilitator)):
            default = (
                _("The group's own: %(name)s") % {"name": own} if own is not None else _("The group's own (no one yet)")
            )
            field = self.fields[name]
            field.choices = [("", str(default)), *listed]  # type: ignore[attr-defined]
            field.error_messages["invalid_choice"] = _("Choose one of the people in the list.")

    def person(self, name: str) -> User | None:
        value = self.cleaned_data.get(name)
        return self.people[int(value)] if value else None


class MeetingDetailsForm(_ThemeMixin, forms.Form):
    theme = forms.ChoiceField(
        label=_("Theme"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of the programme's themes.")},
    )
    expert_speaker = forms.CharField(label=_("Expert speaker"), max_length=200, required=False)
    expert_title = forms.CharField(label=_("Title of the expert talk"), max_length=200, required=False)
    recording_url = forms.CharField(
        label=_("Link to the talk's recording"),
        max_length=500,
        required=False,
        widget=forms.URLInput,
        help_text=_("Add it after the meeting, starting with https://"),
    )

    def __init__(self, *args: Any, meeting: Meeting, themes: list[Theme], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "details")
        kwargs.setdefault(
            "initial",
            {
                "theme": meeting.theme_id or "",
                "expert_speaker": meeting.expert_speaker,
                "expert_title": meeting.expert_title,
                "recording_url": meeting.recording_url,
            },
        )
        super().__init__(*args, **kwargs)
        self.themes = {t.pk: t for t in themes}
        self.fields["theme"].choices = _theme_choices(themes)  # type: ignore[attr-defined]


class AgendaTemplateForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Session template"),
        error_messages={
            "required": _("Choose a session template."),
            "invalid_choice": _("Choose one of the organisation's session templates."),
        },
    )

    def __init__(self, *args: Any, templates: list[SessionTemplate], current: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "template")
        kwargs.setdefault("initial", {"template": current or ""})
        super().__init__(*args, **kwargs)
        self.templates = {t.pk: t for t in templates}
        self.fields["template"].choices = [(str(t.pk), t.name) for t in templates]  # type: ignore[attr-defined]

    def chosen(self) -> SessionTemplate:
        return self.templates[int(self.cleaned_data["template"])]


class VideoLinkForm(forms.Form):
    video_link = forms.CharField(
        label=_("Video link"),
        max_length=500,
        required=False,
        widget=forms.URLInput,
        help_text=_("Paste the whole meeting link (Zoom, Teams or other), starting with https://"),
    )

    def __init__(self, *args: Any, link: str, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "link")
        kwargs.setdefault("initial", {"video_link": link})
        super().__init__(*args, **kwargs)


class SegmentsForm(forms.Form):
    """An agenda as a table of rows: what happens, for how many minutes, and a note. Empty rows are left out."""

    rows = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=SEGMENT_ROWS_MAX)

    def __init__(
        self,
        data: Any = None,
        *,
        segments: list[dict[str, Any]],
        more: int = 0,
        prefix: str = "agenda",
        **kwargs: Any,
    ) -> None:
        """``data``: the posted table, or None for the stored ``segments``.

        ``more`` adds empty rows below what was posted and checks nothing:
        the table comes back as it was typed, with room for more parts.
        """
        if data is not None:
            try:
                count = int(data.get(f"{prefix}-rows", 0))
            except (TypeError, ValueError):
                count = 0
        else:
            count = len(segments) + SEGMENT_ROWS_EXTRA
        count = max(1, min(count + more, SEGMENT_ROWS_MAX))
        initial: dict[str, Any] = {"rows": count}
        if data is not None and more:
            for i in range(count):
                for name in ("kind", "minutes", "note"):
                    initial[f"{name}_{i}"] = data.get(f"{prefix}-{name}_{i}", "")
            data = None
        else:
            for i, segment in enumerate(agendas.segments(segments)):
                initial.update({f"kind_{i}": segment.kind, f"minutes_{i}": segment.minutes, f"note_{i}": segment.note})
        kwargs.setdefault("initial", initial)
        super().__init__(data, prefix=prefix, **kwargs)
        self.count = count
        kinds = [("", str(_("(empty row)"))), *SegmentKind.choices]
        for i in range(count):
            self.fields[f"kind_{i}"] = forms.ChoiceField(
                label=_("Part %(n)s") % {"n": i + 1},
                choices=kinds,
                required=False,
                error_messages={"invalid_choice": _("Choose what happens in this part.")},
            )
            self.fields[f"minutes_{i}"] = forms.IntegerField(
                label=_("Minutes of part %(n)s") % {"n": i + 1},
                required=False,
                min_value=1,
                max_value=agendas.SEGMENT_MAX_MINUTES,
                error_messages={
                    "invalid": _("Give the minutes as a whole number."),
                    "min_value": _("Give 1 to %(max)s minutes.") % {"max": agendas.SEGMENT_MAX_MINUTES},
                    "max_value": _("Give 1 to %(max)s minutes.") % {"max": agendas.SEGMENT_MAX_MINUTES},
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            self.fields[f"note_{i}"] = forms.CharField(
                label=_("Note for part %(n)s") % {"n": i + 1}, required=False, max_length=agendas.NOTE_MAX
            )

    def table(self) -> list[tuple[int, forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [(i + 1, self[f"kind_{i}"], self[f"minutes_{i}"], self[f"note_{i}"]) for i in range(self.count)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        found = []
        for i in range(self.count):
            kind, minutes, note = data.get(f"kind_{i}"), data.get(f"minutes_{i}"), data.get(f"note_{i}")
            if f"minutes_{i}" in self.errors or f"kind_{i}" in self.errors:
                continue
            if not kind and minutes is None and not note:
                continue  # an empty row
            if not kind:
                self.add_error(f"kind_{i}", _("Choose what happens in this part, or clear its row."))
            if minutes is None:
                self.add_error(f"minutes_{i}", _("Give the minutes of this part."))
            if kind and minutes is not None:
                found.append({"kind": kind, "minutes": minutes, "note": note or ""})
        if not found and not self.errors:
            raise ValidationError(_("An agenda needs at least one part. Fill in a row."))
        data["segments"] = found
        return data

    def segments(self) -> list[dict[str, Any]]:
        return list(self.cleaned_data["segments"])


class SessionTemplateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, error_messages={"required": _("Give the template a name.")})
    for_first_meeting = forms.BooleanField(
        label=_("For a group's first meeting"),
        required=False,
        help_text=_("First meetings include agreeing the group's ground rules."),
    )

    def __init__(self, *args: Any, template: SessionTemplate | None = None, **kwargs: Any) -> None:
        if template is not None:
            kwargs.setdefault("initial", {"name": template.name, "for_first_meeting": template.for_first_meeting})
        kwargs.setdefault("prefix", "template")
        super().__init__(*args, **kwargs)
