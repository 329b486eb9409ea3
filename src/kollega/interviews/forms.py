"""Forms of the interview pages. They parse input; the services decide."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kollega.accounts.models import User
from kollega.core.models import Organisation

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


#: The days the slot forms accept start this many days before today (the service refuses past times
#: with its own message; the range only keeps absurd dates out) ...
DAYS_BACK = 1
#: ... and end this many years ahead.
YEARS_AHEAD = 2


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _short(day: date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


class InterviewerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        user: User = obj
        return user.full_name or user.email


class _SlotFormBase(forms.Form):
    interviewer = InterviewerChoiceField(queryset=User.objects.none(), label=_("Interviewer"), empty_label=None)
    video_link = forms.CharField(
        label=_("Video link"),
        required=False,
        max_length=500,
        help_text=_("A Zoom, Teams or other link for these interviews."),
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "off"}),
    )

    def __init__(
        self, *args: Any, interviewers: Any, me: User, organisation: Organisation, pasted: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["interviewer"]
        field.queryset = interviewers  # type: ignore[attr-defined]
        field.initial = me.pk  # the coordinator interviews, unless they choose someone else
        link = self.fields["video_link"]
        if pasted:
            link.required = True
            link.error_messages["required"] = _(
                "Paste the video link (Zoom, Teams or other) for these interviews: the organisation's settings say "
                "that staff paste their own links."
            )
            link.help_text = _("Required: the organisation's settings say that staff paste their own video links.")
        else:
            link.help_text = _(
                "Leave empty to get a Jitsi room made for each booking. Paste a link to use Zoom, Teams or other."
            )
        self.organisation = organisation

    def _day_in_range(self, name: str) -> date | None:
        """The date field ``name``, refused when it is before yesterday or more than two years ahead."""
        day: date | None = self.cleaned_data.get(name)
        if day is None:
            return day
        today = timezone.localtime(timezone.now(), self.organisation.tz).date()
        first, last = today - timedelta(days=DAYS_BACK), _years_later(today, YEARS_AHEAD)
        if not first <= day <= last:
            raise forms.ValidationError(
                _("Choose a day from %(first)s to %(last)s.") % {"first": _short(first), "last": _short(last)},
                code="out_of_range",
            )
        return day


class SlotForm(_SlotFormBase):
    """One slot: a day, a start time and a length."""

    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    start = forms.TimeField(label=_("Starts at"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    length_minutes = forms.IntegerField(label=_("Length in minutes"), min_value=1, max_value=600, initial=30)

    field_order = ["day", "start", "length_minutes", "interviewer", "video_link"]

    def clean_day(self) -> date | None:
        return self._day_in_range("day")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, start = data.get("day"), data.get("start")
        if day and start:
            naive = datetime.combine(day, start)
            moment = naive.replace(tzinfo=self.organisation.tz)
            if moment.astimezone(UTC).astimezone(self.organisation.tz).replace(tzinfo=None) != naive:
                self.add_error("start", _("The clocks are turned forward that night, so this time does not exist."))
        return data

    def times(self) -> tuple[datetime, datetime]:
        """Start and end as aware datetimes in the organisation's time zone."""
        data = self.cleaned_data
        starts_at = datetime.combine(data["day"], data["start"]).replace(tzinfo=self.organisation.tz)
        return starts_at, starts_at + timedelta(minutes=data["length_minutes"])


class RecurringForm(_SlotFormBase):
    """A weekly pattern: the days, the weekdays, the hours, the length and the break."""

    first_date = forms.DateField(label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    last_date = forms.DateField(label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    day_start = forms.TimeField(
        label=_("First interview starts at"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        initial=time(9, 0),
    )
    day_end = forms.TimeField(
        label=_("Last interview ends by"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        initial=time(12, 0),
    )
    length_minutes = forms.IntegerField(label=_("Length in minutes"), min_value=1, max_value=600, initial=30)
    buffer_minutes = forms.IntegerField(
        label=_("Break between interviews, minutes"), min_value=0, max_value=600, initial=10
    )

    field_order = [
        "first_date",
        "last_date",
        "weekdays",
        "day_start",
        "day_end",
        "length_minutes",
        "buffer_minutes",
        "interviewer",
        "video_link",
    ]

    def clean_first_date(self) -> date | None:
        return self._day_in_range("first_date")

    def clean_last_date(self) -> date | None:
        return self._day_in_range("last_date")


class CancelSlotForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, shown to the applicant"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LinkResendForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
