"""Forms of the interview record and the decision pages. They parse input; the services decide."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from kollega.core.models import Consent, ConsentItem, Participant, TimeSlot
from kollega.interviews.record_services import INTERVIEW_CONSENTS, MESSAGE_LIMIT, TEXT_LIMIT

YES_NO = [("yes", _("Yes")), ("no", _("No"))]

#: What the interviewer asks about each consent (the person's own words are in the consent text).
CONSENT_LABELS: dict[str, Any] = {
    ConsentItem.SHARE_NAME: _("Share their name with the group"),
    ConsentItem.SHARE_COMPANY: _("Share their company with the group"),
    ConsentItem.SHARE_EMAIL: _("Share their email with the group"),
    ConsentItem.WELLBEING_QUESTIONNAIRE: _("Answer the well-being questionnaire"),
}


def _text(label: Any, help_text: Any = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=TEXT_LIMIT,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _consent_now(consent: Consent | None, tz: tzinfo) -> str:
    if consent is None:
        return str(_("Now: not asked yet."))
    when = formats.date_format(timezone.localtime(consent.at, tz), "j.n.Y")
    if consent.given:
        return str(_("Now: given (%(date)s).") % {"date": when})
    return str(_("Now: not given (%(date)s).") % {"date": when})


class InterviewRecordForm(forms.Form):
    interviewer: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        queryset=None,  # type: ignore[arg-type]
        label=_("Interviewer"),
        empty_label=None,
    )
    platform_audio = forms.BooleanField(label=_("Audio works"), required=False)
    platform_video = forms.BooleanField(label=_("Video works"), required=False)
    platform_screen = forms.BooleanField(label=_("Screen sharing works"), required=False)
    committed = forms.BooleanField(label=_("Committed to all meetings"), required=False)
    agreed_time_slots = forms.MultipleChoiceField(
        label=_("Agreed time slots"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The times the person can attend every meeting. They replace the times given at registration."),
        error_messages={"required": _("Choose at least one time slot the person agreed to.")},
    )
    expectations = _text(_("Expectations"))
    extra_theme_wishes = _text(_("Extra theme wishes"))
    goal_business = _text(
        _("Goal for the business"), _("In the person's own words. It is shown to them again at the end.")
    )
    goal_wellbeing = _text(
        _("Goal for own well-being"), _("In the person's own words. It is shown to them again at the end.")
    )
    staff_notes = _text(_("Notes for staff"), _("Seen by staff only: never shown to the person or the group."), rows=4)

    def __init__(
        self,
        *args: Any,
        participant: Participant,
        interviewers: Any,
        time_slots: list[TimeSlot],
        consents: dict[str, Consent | None],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        programme = participant.programme
        self.fields["interviewer"].queryset = interviewers  # type: ignore[attr-defined]
        self.fields["agreed_time_slots"].choices = [  # type: ignore[attr-defined]
            (slot.key, f"{slot.label} {slot.start_time:%H:%M}–{slot.end_time:%H:%M}") for slot in time_slots
        ]
        self.fields["committed"].help_text = _("The programme has %(count)d meetings of %(minutes)d minutes each.") % {
            "count": programme.meeting_count,
            "minutes": programme.meeting_length_minutes,
        }
        for item in INTERVIEW_CONSENTS:
            self.fields[f"consent_{item}"] = forms.ChoiceField(
                label=CONSENT_LABELS[item],
                choices=YES_NO,
                widget=forms.RadioSelect,
                help_text=_consent_now(consents.get(item), programme.organisation.tz),
                error_messages={"required": _("Ask the person and mark yes or no.")},
            )
        self.order_fields(
            [
                "interviewer",
                "platform_audio",
                "platform_video",
                "platform_screen",
                "committed",
                "agreed_time_slots",
                *[f"consent_{item}" for item in INTERVIEW_CONSENTS],
                "expectations",
                "extra_theme_wishes",
                "goal_business",
                "goal_wellbeing",
                "staff_notes",
            ]
        )

    @property
    def platform_fields(self) -> list[forms.BoundField]:
        return [self["platform_audio"], self["platform_video"], self["platform_screen"]]

    @property
    def consent_fields(self) -> list[forms.BoundField]:
        return [self[f"consent_{item}"] for item in INTERVIEW_CONSENTS]

    def to_data(self) -> dict[str, Any]:
        """The service's ``data`` from the cleaned form."""
        data = self.cleaned_data
        return {
            "platform_audio": data["platform_audio"],
            "platform_video": data["platform_video"],
            "platform_screen": data["platform_screen"],
            "committed": data["committed"],
            "agreed_time_slots": list(data["agreed_time_slots"]),
            "consents": {item: data[f"consent_{item}"] == "yes" for item in INTERVIEW_CONSENTS},
            "expectations": data["expectations"],
            "extra_theme_wishes": data["extra_theme_wishes"],
            "goal_business": data["goal_business"],
            "goal_wellbeing": data["goal_wellbeing"],
            "staff_notes": data["staff_notes"],
        }


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Seen by staff only, in the person's history. It is not sent to the person."),
        error_messages={"required": _("Write down why the person is declined. Only staff see it.")},
    )
    message = forms.CharField(
        label=_("Personal message to the person"),
        required=False,
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Added to the email, which already thanks them and says kindly that there is no place this time."),
    )
