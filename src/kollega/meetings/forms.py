"""Forms of the facilitator's meeting page and the participants' meeting pages.

The forms only read what was typed; the services decide (and word) every rule.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kollega.meetings import uploads
from kollega.meetings.models import AttendanceState, MaterialKind
from kollega.meetings.participant_selectors import AttendanceRow

URL_MAX = 500
TITLE_MAX = 200
TEXT_MAX = 10000

ATTENDANCE_CHOICES = [
    (AttendanceState.PRESENT, _("Present")),
    (AttendanceState.ABSENT, _("Absent")),
    (AttendanceState.EXCUSED, _("Told in advance")),
]


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to the field it names, else at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class AttendanceForm(forms.Form):
    """One group of radio buttons per member: present, absent or told in advance."""

    def __init__(self, *args: Any, rows: list[AttendanceRow], tz: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "attendance")
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            participant = row.participant
            help_text = ""
            if row.told_by_themself and row.attendance is not None:
                day = formats.date_format(timezone.localtime(row.attendance.recorded_at, tz), "j.n.Y")
                help_text = (
                    gettext("Told in advance through their own link on %(day)s: “%(note)s”")
                    % {"day": day, "note": row.attendance.note}
                    if row.attendance.note
                    else gettext("Told in advance through their own link on %(day)s.") % {"day": day}
                )
            name = participant.display_name
            if participant.company_name:
                name = f"{name} – {participant.company_name}"
            self.fields[self.key(participant.pk)] = forms.ChoiceField(
                label=name,
                choices=ATTENDANCE_CHOICES,
                widget=forms.RadioSelect,
                required=False,
                initial=row.state or None,
                help_text=help_text,
                error_messages={"invalid_choice": _("Choose present, absent or told in advance.")},
            )

    @staticmethod
    def key(participant_id: int) -> str:
        return f"p{participant_id}"

    def changed_states(self) -> dict[int, str]:
        """Participant id → state, for the members whose choice differs from what is stored."""
        return {
            row.participant.pk: value
            for row in self.rows
            if (value := self.cleaned_data.get(self.key(row.participant.pk))) and value != row.state
        }


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=_("Notes for the group"),
        help_text=_(
            "What the group agreed, questions to think about before the next meeting. Sent with the materials."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=TEXT_MAX,
        error_messages={"max_length": _("At most %(limit_value)s characters.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "notes")
        super().__init__(*args, **kwargs)


def _title(help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=_("Title"),
        required=False,
        max_length=TITLE_MAX,
        help_text=help_text,
        error_messages={"max_length": _("At most %(limit_value)s characters.")},
    )


def _url(label: Any, help_text: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        help_text=help_text,
        max_length=URL_MAX,
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "url"}),
        error_messages={
            "required": _("Paste the link."),
            "max_length": _("The link is longer than %(limit_value)s characters."),
        },
    )


class MaterialForm(forms.Form):
    """One kind of material. Each kind has its own small form (and button) on the page."""

    kind: str = ""
    heading: Any = ""
    button: Any = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.kind)
        super().__init__(*args, **kwargs)

    def service_arguments(self) -> dict[str, Any]:
        return {key: value for key, value in self.cleaned_data.items() if value is not None}


class MaterialFileForm(MaterialForm):
    kind = MaterialKind.FILE
    heading = _("Upload a file")
    button = _("Upload the file")

    file = forms.FileField(
        label=_("File"),
        widget=forms.FileInput(attrs={"accept": uploads.ACCEPT}),
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The file is empty."),
            "invalid": _("No file was received. Choose the file again."),
        },
    )
    title = _title(_("Leave empty to use the file's name."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "Documents (PDF, Word, OpenDocument, text), presentations, spreadsheets and images, at most %(max)s MB."
        ) % {"max": uploads.max_bytes() // 1024 // 1024}

    def service_arguments(self) -> dict[str, Any]:
        return {"upload": self.cleaned_data["file"], "title": self.cleaned_data.get("title", "")}


class MaterialLinkForm(MaterialForm):
    kind = MaterialKind.LINK
    heading = _("Add a link")
    button = _("Add the link")

    url = _url(_("Link"), _("A web address starting with https://, for example an article or a shared folder."))
    title = _title(_("Leave empty to show the address."))


class MaterialRecordingForm(MaterialForm):
    kind = MaterialKind.RECORDING
    heading = _("Add the recording")
    button = _("Add the recording")

    url = _url(_("Link to the recording"), _("A web address starting with https://."))
    title = _title(_("Leave empty to call it “Recording”."))


class MaterialNoteForm(MaterialForm):
    kind = MaterialKind.NOTE
    heading = _("Add a note")
    button = _("Add the note")

    title = _title(_("Leave empty to call it “Notes”."))
    text = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=TEXT_MAX,
        error_messages={
            "required": _("Write the note."),
            "max_length": _("At most %(limit_value)s characters."),
        },
    )


MATERIAL_FORMS: dict[str, type[MaterialForm]] = {
    form.kind: form for form in (MaterialFileForm, MaterialLinkForm, MaterialRecordingForm, MaterialNoteForm)
}


class AbsenceForm(forms.Form):
    note = forms.CharField(
        label=_("A note for the facilitators"),
        help_text=_("For example why, or what you would like to hear about afterwards. Only the facilitators see it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=300,
        error_messages={"max_length": _("At most %(limit_value)s characters.")},
    )


class SignInCodeForm(forms.Form):
    """Asks sign-in for a code (the form posts to the sign-in pages), then leads to the person's meetings."""

    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    next = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"next": reverse("meetings:mine")})
        super().__init__(*args, **kwargs)
