"""Forms of the coordinator's grouping pages. They parse input; the services decide and word the errors."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import formats
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kollega.core.models import Participant
from kollega.grouping.explain import default_weight, goal_help, goal_label
from kollega.grouping.models import WEEKDAYS, PairKind
from kollega.grouping.optimiser.problem import GOALS
from kollega.grouping.proposal_selectors import SlotChoice
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


class BoardFilterForm(forms.Form):
    """A big proposal's page narrowed to one time, or to the page of a person found by name (in the address)."""

    # The form is only shown, never checked (the page reads the address itself): "required" keeps the labels free
    # of "(optional)", and no browser check is asked for.
    use_required_attribute = False

    q = forms.CharField(label=_("Find a person"), max_length=100, help_text=_("Type their name or a part of it."))
    slot = forms.ChoiceField(label=_("Time"))

    def __init__(self, *args: Any, slots: Iterable[SlotChoice], total: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["slot"]
        field.choices = [
            ("", ngettext("All times (%(count)s group)", "All times (%(count)s groups)", total) % {"count": total}),
            *(
                (
                    choice.key,
                    ngettext("%(time)s (%(count)s group)", "%(time)s (%(count)s groups)", choice.groups)
                    % {"time": choice.label, "count": choice.groups},
                )
                for choice in slots
            ),
        ]


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


def check_weekday(form: forms.Form, data: dict[str, Any]) -> None:
    """An error on the form's first meeting when its date does not fall on the chosen weekday."""
    day, weekday = data.get("start_date"), data.get("weekday")
    if day is not None and weekday is not None and day.weekday() != weekday:
        form.add_error(
            "start_date",
            _("The first meeting's date does not fall on the group's weekday (%(weekday)s).")
            % {"weekday": dict(WEEKDAYS)[weekday]},
        )


def check_first_day(day: date, *, today: date, last_day: date) -> None:
    """A first meeting is today at the earliest and two years ahead at the latest."""
    if day < today:
        raise ValidationError(
            _("The first meeting cannot be in the past: choose %(today)s or a later date.")
            % {"today": formats.date_format(today, "j.n.Y")},
            code="past",
        )
    if day > last_day:
        raise ValidationError(
            _("The first meeting can be at most two years ahead: choose %(last)s or an earlier date.")
            % {"last": formats.date_format(last_day, "j.n.Y")},
            code="too_far",
        )


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
        check_first_day(day, today=self.today, last_day=self.last_day)
        return day

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        check_weekday(self, data)
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


# --- accepting many groups at once -------------------------------------------------------------

#: Up to this many groups, the accept page has a form for each. Above it, one set of settings names and dates
#: every new group, and a few rows change single ones: the page stays short, and its post stays far below
#: Django's limit on the number of fields (``DATA_UPLOAD_MAX_NUMBER_FIELDS``) however many groups there are.
ONE_BY_ONE_MAX = 20
#: Rows for changing single groups, offered at first; "Change more groups" adds as many again, up to the maximum.
CHANGE_ROWS = 5
CHANGE_ROWS_MAX = 60
#: The hidden field that carries a fingerprint of the groups the page showed, instead of one field per group.
SHOWN_DIGEST_FIELD = "groups_digest"
#: The hidden field that says how many change rows the page showed.
CHANGE_ROWS_FIELD = "rows"


def groups_digest(keys: Iterable[str]) -> str:
    """A fingerprint of a set of group keys: equal exactly when the sets are."""
    return hashlib.sha256("\n".join(sorted(set(keys))).encode()).hexdigest()


def on_or_after(day: date, weekday: int) -> date:
    """The first ``weekday`` on or after ``day``."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def spread_order(weekdays: Iterable[int]) -> list[int]:
    """The weekdays chosen for a time, in the order its groups take them: as on the page of single groups
    (Tuesday, Wednesday, Thursday, Monday), then the others from Monday on."""
    return sorted(set(weekdays), key=lambda d: (0, WEEKDAY_ORDER.index(d)) if d in WEEKDAY_ORDER else (1, d))


def weekdays_field_name(slot: str) -> str:
    return "weekdays-" + re.sub(r"[^A-Za-z0-9-]", lambda m: f"_{ord(m.group()):x}_", slot)


class AcceptAllForm(forms.Form):
    """The settings that name and date every new group: a start for the names, a first week, weekdays per time."""

    name_start = forms.CharField(
        label=_("Start every name with"),
        required=False,
        max_length=40,
        help_text=_(
            "For example “Spring 2026”: the groups are then called “Spring 2026 Morning 1” and so on. "
            "Leave empty to keep the names below."
        ),
    )
    start_from = forms.DateField(
        label=_("First meetings from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Each group meets for the first time on its weekday in the seven days from this date."),
        error_messages={
            "required": _("Give the date from which the groups meet."),
            "invalid": _("Give the date from which the groups meet, for example 3.9.2026."),
        },
    )

    def __init__(self, *args: Any, slots: Iterable[tuple[str, str, int]], today: date, **kwargs: Any) -> None:
        """``slots`` are the times of the new groups: each one's key, label and number of new groups."""
        kwargs.setdefault("prefix", "all")
        kwargs.setdefault(
            "initial",
            {"start_from": today + FIRST_MEETING_LEAD}
            | {weekdays_field_name(key): list(WEEKDAY_ORDER) for key, _label, _count in slots},
        )
        super().__init__(*args, **kwargs)
        self.today = today
        self.last_day = years_after(today, START_YEARS_AHEAD)
        attrs = self.fields["start_from"].widget.attrs
        attrs["min"], attrs["max"] = today.isoformat(), self.last_day.isoformat()
        self.slots = {}
        for key, label, count in slots:
            name = weekdays_field_name(key)
            self.slots[key] = name
            self.fields[name] = forms.TypedMultipleChoiceField(
                label=gettext("Weekdays of the groups at %(time)s") % {"time": label},
                choices=WEEKDAYS,
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                help_text=ngettext(
                    "%(count)s new group meets at this time, on the first weekday chosen.",
                    "%(count)s new groups meet at this time, spread evenly over the weekdays chosen.",
                    count,
                )
                % {"count": count},
                error_messages={"required": gettext("Choose at least one weekday for %(time)s.") % {"time": label}},
            )

    def weekday_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.slots.values()]

    def clean_start_from(self) -> date:
        day: date = self.cleaned_data["start_from"]
        check_first_day(day, today=self.today, last_day=self.last_day)
        return day

    def settings(self) -> tuple[str, date, dict[str, list[int]]]:
        """The name start, the first day and each time's weekdays: as typed when valid, else as first offered."""
        data = getattr(self, "cleaned_data", None) or {}
        initial = self.initial
        start = data.get("start_from") or initial.get("start_from") or self.today + FIRST_MEETING_LEAD
        weekdays = {
            key: spread_order(data.get(name) or initial.get(name) or WEEKDAY_ORDER) for key, name in self.slots.items()
        }
        return str(data.get("name_start") or "").strip(), start, weekdays


class GroupChangeForm(forms.Form):
    """One row that changes a single new group: any of its name, weekday and first meeting; blank keeps the rest."""

    group = forms.ChoiceField(
        label=_("Group"),
        required=False,
        error_messages={"invalid_choice": _("That group is no longer in the proposal: choose the group again.")},
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=100)
    weekday = forms.TypedChoiceField(label=_("Weekday"), required=False, coerce=int, empty_value=None)
    start_date = forms.DateField(
        label=_("First meeting"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Give the date of the first meeting, for example 3.9.2026.")},
    )

    def __init__(self, *args: Any, groups: Iterable[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group: Any = self.fields["group"]
        group.choices = [("", gettext("Choose a group")), *groups]
        weekday: Any = self.fields["weekday"]
        weekday.choices = [("", gettext("As set above")), *WEEKDAYS]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        changes = data.get("name") or data.get("weekday") is not None or data.get("start_date")
        if changes and not data.get("group") and "group" not in self.errors:
            self.add_error("group", _("Choose the group to change."))
        check_weekday(self, data)
        return data


def change_forms(count: int, *, groups: Iterable[tuple[str, str]], data: Any = None) -> list[GroupChangeForm]:
    groups = list(groups)
    return [GroupChangeForm(data, prefix=f"change-{n}", groups=groups) for n in range(count)]


def change_forms_valid(forms_: list[GroupChangeForm]) -> bool:
    """Every row is valid and no group is changed in two rows."""
    checked = [form.is_valid() for form in forms_]  # every row, so that every error is shown
    valid = all(checked)
    seen: set[str] = set()
    for form in forms_:
        key = form.cleaned_data.get("group") if hasattr(form, "cleaned_data") else None
        if not key:
            continue
        if key in seen:
            form.add_error("group", _("This group is already changed in another row."))
            valid = False
        seen.add(key)
    return valid


def accept_all_forms(
    specs: list[dict[str, Any]],
    *,
    all_form: AcceptAllForm,
    changes: list[GroupChangeForm],
    taken: Iterable[str],
    today: date,
) -> list[tuple[dict[str, Any], AcceptGroupForm]]:
    """Each new group's name, weekday and first meeting from the settings for all and its row of changes, as the
    same form a group has on the page of single groups, so that both check alike.

    A name made from the settings steers clear of the programme's names and of the names typed for single groups
    ("Morning 1 (2)"); a name typed for a single group is taken as it is, and checked.
    """
    name_start, start_from, weekdays = all_form.settings()
    changed: dict[str, dict[str, Any]] = {}
    for form in changes:
        row = getattr(form, "cleaned_data", None) or {}
        if row.get("group") and row["group"] not in changed:
            changed[row["group"]] = row
    taken = set(taken)
    used = taken | {str(row["name"]).strip() for row in changed.values() if row.get("name")}
    per_slot: dict[str, int] = {}
    out = []
    for spec in specs:
        n = per_slot.get(spec["slot"], 0)
        per_slot[spec["slot"]] = n + 1
        days = weekdays.get(spec["slot"]) or list(WEEKDAY_ORDER)
        weekday = days[n % len(days)]
        row = changed.get(spec["key"], {})
        if row.get("name"):
            name = str(row["name"]).strip()
        else:
            name = free_name(f"{name_start} {spec['name']}".strip(), used)
            used.add(name)
        day: date | None = row.get("start_date")
        if row.get("weekday") is not None:
            weekday = row["weekday"]
        elif day is not None:
            weekday = day.weekday()
        if day is None:
            day = on_or_after(start_from, weekday)
        prefix = group_prefix(spec["key"])
        data = {f"{prefix}-name": name, f"{prefix}-weekday": str(weekday), f"{prefix}-start_date": day.isoformat()}
        out.append((spec, AcceptGroupForm(data, prefix=prefix, taken=taken, today=today)))
    return out


def accept_many_summary(
    all_form: AcceptAllForm,
    changes: list[GroupChangeForm],
    group_forms: list[tuple[dict[str, Any], AcceptGroupForm]],
) -> list[tuple[str, str]]:
    """Every error of the page of many groups, naming the group or row it concerns, with the field that fixes it.

    A group's error points at its row of changes when it has one, else at the setting for all that made it.
    """
    out: list[tuple[str, str]] = []
    for field in all_form:
        for error in field.errors:
            out.append((f"{field.label}: {error}", f"#{field.auto_id}"))
    row_of: dict[str, GroupChangeForm] = {}
    for n, row in enumerate(changes, start=1):
        key = (getattr(row, "cleaned_data", None) or {}).get("group")
        if key:
            row_of.setdefault(key, row)
        for field in row:
            for error in field.errors:
                text = gettext("Change %(n)s – %(field)s: %(error)s") % {"n": n, "field": field.label, "error": error}
                out.append((text, f"#{field.auto_id}"))
    setting_for = {"name": "name_start", "start_date": "start_from"}
    for spec, form in group_forms:
        change = row_of.get(spec["key"])
        for name in ("name", "weekday", "start_date"):
            for error in form.errors.get(name, []):
                if change is not None:
                    target = change[name]
                else:
                    target = all_form[setting_for.get(name) or all_form.slots.get(spec["slot"], "start_from")]
                text = gettext("%(group)s – %(field)s: %(error)s") % {
                    "group": spec["name"],
                    "field": form[name].label,
                    "error": error,
                }
                out.append((text, f"#{target.auto_id}"))
    return out
