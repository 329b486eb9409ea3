"""Forms of the coordinator's grouping pages. They parse input; the services decide and word the errors."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kollega.core.models import Participant
from kollega.grouping.explain import default_weight, goal_help, goal_label
from kollega.grouping.models import WEEKDAYS, PairKind
from kollega.grouping.optimiser.problem import GOALS
from kollega.grouping.proposals import DEFAULT_TIME_LIMIT, TIME_LIMIT_MAX, WEIGHT_MAX

#: A new group's first meeting is at least this far ahead, so that members and facilitators can prepare.
FIRST_MEETING_LEAD = timedelta(days=14)
#: Groups of the same time slot are spread over these weekdays (Tuesday, Wednesday, Thursday, Monday):
#: a facilitator can then take two groups of one time.
WEEKDAY_ORDER = (1, 2, 3, 0)
#: A new group's first meeting can be set at most this many years ahead.
START_YEARS_AHEAD = 2
#: The hidden field that carries the keys of the groups the accept page showed.
SHOWN_GROUPS_FIELD = "groups"


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal on the form: next to the field it names, else at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class CheckedByServiceField(forms.CharField):
    """A value the form passes on as typed, even blank: the service checks it and words the error."""

    def validate(self, value: Any) -> None:
        return None


class ProposeForm(forms.Form):
    """Ask the optimiser for a proposal. Numbers are passed on as typed: the service checks them."""

    time_limit = CheckedByServiceField(
        label=_("Time limit in seconds"),
        initial=DEFAULT_TIME_LIMIT,
        widget=forms.NumberInput(attrs={"min": 1, "max": TIME_LIMIT_MAX, "step": 1, "inputmode": "numeric"}),
    )

    def __init__(self, *args: Any, industry_mode: str, groups_exist: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_limit"].help_text = gettext(
            "The optimiser stops after at most this many seconds (1–%(max)s) and gives its best proposal."
        ) % {"max": TIME_LIMIT_MAX}
        for goal in GOALS:
            self.fields[f"weight_{goal}"] = CheckedByServiceField(
                label=goal_label(goal, industry_mode),
                initial=default_weight(goal),
                help_text=goal_help(goal, industry_mode),
                widget=forms.NumberInput(attrs={"min": 0, "max": WEIGHT_MAX, "step": 1, "inputmode": "numeric"}),
            )
        if groups_exist:
            self.fields["late_joiners"] = forms.BooleanField(
                label=_("Only late joiners, into groups with room"),
                required=False,
                help_text=_(
                    "Places the people still waiting into the existing groups that have room; "
                    "nobody already in a group moves."
                ),
            )

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[f"weight_{goal}"] for goal in GOALS]

    def weights(self) -> dict[str, Any]:
        """The weights as typed (a blank one is refused by the service); a goal not sent keeps its default."""
        return {goal: self.cleaned_data.get(f"weight_{goal}", "") for goal in GOALS if f"weight_{goal}" in self.data}


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        person: Participant = obj
        return person.display_name


class PairForm(forms.Form):
    first = PersonChoiceField(
        queryset=Participant.objects.none(),
        label=_("First person"),
        error_messages={"required": _("Choose the first person."), "invalid_choice": _("Choose the first person.")},
    )
    second = PersonChoiceField(
        queryset=Participant.objects.none(),
        label=_("Second person"),
        error_messages={"required": _("Choose the second person."), "invalid_choice": _("Choose the second person.")},
    )
    kind = forms.ChoiceField(
        label=_("Rule"),
        choices=PairKind.choices,
        initial=PairKind.APART,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether the two must be kept apart or should be together.")},
    )
    note = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=200,
        help_text=_("For example: direct competitors, or relatives. Only coordinators see this."),
        error_messages={"max_length": _("Keep the reason under %(limit_value)s characters.")},
    )

    def __init__(self, *args: Any, people: QuerySet[Participant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first: Any = self.fields["first"]
        second: Any = self.fields["second"]
        first.queryset = people
        second.queryset = people
        first.empty_label = second.empty_label = _("Choose a person")


class MoveForm(forms.Form):
    participant = forms.IntegerField(widget=forms.HiddenInput)
    group = forms.CharField(max_length=60, error_messages={"required": _("Choose the group to move the person to.")})


class LockForm(forms.Form):
    participant = forms.IntegerField(widget=forms.HiddenInput)
    locked = forms.BooleanField(required=False, widget=forms.HiddenInput)


def first_meeting(weekday: int, *, today: date) -> date:
    """The first ``weekday`` at least ``FIRST_MEETING_LEAD`` from ``today``."""
    earliest = today + FIRST_MEETING_LEAD
    return earliest + timedelta(days=(weekday - earliest.weekday()) % 7)


def free_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``… when a group of the programme already has it."""
    if name not in taken:
        return name
    n = 2
    while f"{name} ({n})" in taken:
        n += 1
    return f"{name} ({n})"


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later; 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def group_prefix(key: str) -> str:
    """The accept form's prefix for the proposal's group ``key``, safe in field names and HTML ids.

    Letters, digits and "-" stay; any other character becomes ``_<hex>_``, so two keys never share a prefix.
    """
    return "group-" + re.sub(r"[^A-Za-z0-9-]", lambda m: f"_{ord(m.group()):x}_", key)


class AcceptGroupForm(forms.Form):
    """A new group's name, weekday and first meeting date (today at the earliest, two years ahead at the latest)."""

    name = forms.CharField(label=_("Name"), max_length=100, error_messages={"required": _("Give the group a name.")})
    weekday = forms.TypedChoiceField(
        label=_("Weekday"),
        choices=WEEKDAYS,
        coerce=int,
        error_messages={"required": _("Choose the weekday the group meets on.")},
    )
    start_date = forms.DateField(
        label=_("First meeting"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Give the date of the first meeting."),
            "invalid": _("Give the date of the first meeting, for example 3.9.2026."),
        },
    )

    def __init__(self, *args: Any, today: date, taken: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.taken = set(taken)
        self.today = today
        self.last_day = years_after(today, START_YEARS_AHEAD)
        attrs = self.fields["start_date"].widget.attrs
        attrs["min"], attrs["max"] = today.isoformat(), self.last_day.isoformat()

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if name in self.taken:
            raise ValidationError(_("This programme already has a group with that name."))
        return name

    def clean_start_date(self) -> date:
        day: date = self.cleaned_data["start_date"]
        if day < self.today:
            raise ValidationError(
                _("The first meeting cannot be in the past: choose %(today)s or a later date.")
                % {"today": formats.date_format(self.today, "j.n.Y")},
                code="past",
            )
        if day > self.last_day:
            raise ValidationError(
                _("The first meeting can be at most two years ahead: choose %(last)s or an earlier date.")
                % {"last": formats.date_format(self.last_day, "j.n.Y")},
                code="too_far",
            )
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, weekday = data.get("start_date"), data.get("weekday")
        if day is not None and weekday is not None and day.weekday() != weekday:
            self.add_error(
                "start_date",
                _("The first meeting's date does not fall on the group's weekday (%(weekday)s).")
                % {"weekday": dict(WEEKDAYS)[weekday]},
            )
        return data


def accept_forms(
    specs: list[dict[str, Any]],
    *,
    data: Any = None,
    taken: Iterable[str],
    today: date,
    typed: Mapping[str, Any] | None = None,
) -> list[tuple[dict[str, Any], AcceptGroupForm]]:
    """One form per new group of the proposal, named by the group's key and prefilled.

    The prefill is the proposal's name for the group, a weekday and a date two weeks ahead; ``typed`` (an
    earlier post of the page) keeps what was typed for a group that is still there.
    """
    taken = set(taken)
    used: set[str] = set(taken)
    per_slot: dict[str, int] = {}
    out = []
    for spec in specs:
        n = per_slot.get(spec["slot"], 0)
        per_slot[spec["slot"]] = n + 1
        weekday = WEEKDAY_ORDER[n % len(WEEKDAY_ORDER)]
        name = free_name(spec["name"], used)
        used.add(name)
        prefix = group_prefix(spec["key"])
        initial: dict[str, Any] = {"name": name, "weekday": weekday, "start_date": first_meeting(weekday, today=today)}
        if typed is not None:
            for field in initial:
                if f"{prefix}-{field}" in typed:
                    initial[field] = typed[f"{prefix}-{field}"]
        form = AcceptGroupForm(data, prefix=prefix, taken=taken, today=today, initial=initial)
        form.fields["start_date"].widget.attrs["data-earliest"] = (today + FIRST_MEETING_LEAD).isoformat()
        form.fields["weekday"].widget.attrs["data-date-field"] = form["start_date"].auto_id
        out.append((spec, form))
    return out


def shown_groups(data: Any) -> set[str]:
    """The keys of the groups the accept page showed when it was posted."""
    getlist = getattr(data, "getlist", None)
    return set(getlist(SHOWN_GROUPS_FIELD)) if getlist is not None else set()


def accept_forms_valid(forms_: list[tuple[dict[str, Any], AcceptGroupForm]]) -> bool:
    """Every form is valid and no two new groups share a name."""
    checked = [form.is_valid() for _spec, form in forms_]  # every form, so that every error is shown
    valid = all(checked)
    seen: dict[str, AcceptGroupForm] = {}
    for _spec, form in forms_:
        name = form.cleaned_data.get("name") if hasattr(form, "cleaned_data") else None
        if not name:
            continue
        if name in seen:
            form.add_error("name", _("Two new groups cannot have the same name."))
            valid = False
        seen[name] = form
    return valid
