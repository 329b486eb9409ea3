"""Forms of the coordinator's core pages. They parse input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kollega.core import status as machine
from kollega.core.industries import industry_choices
from kollega.core.models import (
    ClosedPeriod,
    LinkScope,
    Organisation,
    PositionRule,
    Programme,
    Status,
    TimeSlot,
    VideoLinks,
)
from kollega.core.models.texts import localized
from kollega.core.programme_templates import programme_templates
from kollega.core.selectors import (
    INTERVIEW_DONE,
    INTERVIEW_HAS_SLOT,
    INTERVIEW_NEEDS_SLOT,
    NO_CHANNEL,
    ParticipantFilters,
)
from kollega.core.services import PROGRAMME_SETTINGS

LANGUAGE_LABELS = {"fi": _("in Finnish"), "sv": _("in Swedish"), "en": _("in English")}


class PerLanguageMixin:
    """Adds one field per language for a text stored as ``{"fi": …, "sv": …, "en": …}``."""

    fields: dict[str, forms.Field]

    def add_language_fields(
        self,
        name: str,
        label: Any,
        *,
        widget: type[forms.Widget] = forms.TextInput,
        required_one: bool = True,
        initial: dict[str, str] | None = None,
        max_length: int = 200,
    ) -> None:
        for lang, lang_label in LANGUAGE_LABELS.items():
            self.fields[f"{name}_{lang}"] = forms.CharField(
                label=f"{label} ({lang_label})",
                required=False,
                widget=widget,
                max_length=max_length,
                initial=(initial or {}).get(lang, ""),
            )

    def language_values(self, name: str) -> dict[str, str]:
        data: dict[str, Any] = self.cleaned_data  # type: ignore[attr-defined]
        return {lang: (data.get(f"{name}_{lang}") or "").strip() for lang in LANGUAGE_LABELS}

    def require_one_language(self, name: str, message: Any) -> None:
        if not any(self.language_values(name).values()):
            self.add_error(f"{name}_fi", message)  # type: ignore[attr-defined]


class ProgrammeCreateForm(PerLanguageMixin, forms.Form):
    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.none(), label=_("Organisation"), empty_label=None
    )
    template_key = forms.ChoiceField(label=_("Start from template"))
    slug = forms.SlugField(
        label=_("Address name"),
        required=False,
        max_length=80,
        help_text=_("Used in the programme's web address. Leave empty to make one from the title."),
    )

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk
        self.fields["template_key"].choices = [(k, localized(t["name"])) for k, t in programme_templates().items()]  # type: ignore[attr-defined]
        self.add_language_fields("title", _("Title"))
        self.order_fields(["organisation", "title_fi", "title_sv", "title_en", "template_key", "slug"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.require_one_language("title", _("Give the programme a title in at least one language."))
        return data


class ProgrammeSettingsForm(PerLanguageMixin, forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=[("fi", _("Finnish")), ("sv", _("Swedish")), ("en", _("English"))],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Programme
        fields = ["slug", *PROGRAMME_SETTINGS]
        widgets = {
            "registration_opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "registration_closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "move_rule": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_language_fields("title", _("Title"), initial=self.instance.title)
        self.order_fields(["title_fi", "title_sv", "title_en", *self.Meta.fields])
        # A form sent without the choice (an older page, a script) keeps the programme's rule.
        self.fields["move_rule"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.require_one_language("title", _("Give the programme a title in at least one language."))
        if not data.get("move_rule"):
            data["move_rule"] = self.instance.move_rule
        return data

    def _post_clean(self) -> None:
        # Validation is the service's job (it knows the rules); keep the instance untouched here.
        pass

    def changes(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        values["title"] = self.language_values("title")
        return values


class ThemeForm(PerLanguageMixin, forms.Form):
    position_rule = forms.ChoiceField(
        label=_("Place in the meeting plan"), choices=PositionRule.choices, initial=PositionRule.FREE
    )

    def __init__(self, *args: Any, theme: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_language_fields("title", _("Title"), initial=theme.title if theme else None)
        self.add_language_fields(
            "description",
            _("Description"),
            widget=forms.Textarea,
            max_length=2000,
            initial=theme.description if theme else None,
        )
        if theme is not None:
            self.fields["position_rule"].initial = theme.position_rule
        self.order_fields(
            ["title_fi", "title_sv", "title_en", "description_fi", "description_sv", "description_en", "position_rule"]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.require_one_language("title", _("Give the theme a title in at least one language."))
        return data


class ParticipantFilterForm(forms.Form):
    """The applicant list's filters. They live in the address, so a view can be bookmarked and shared."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200, help_text=_("Name, email or company"))
    status = forms.MultipleChoiceField(
        label=_("Status"), required=False, choices=Status.choices, widget=forms.CheckboxSelectMultiple
    )
    time_slot = forms.ChoiceField(label=_("Time slot"), required=False)
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    theme = forms.ChoiceField(
        label=_("Theme wish"), required=False, help_text=_("Among the person's first three wishes")
    )
    interview = forms.ChoiceField(
        label=_("Intake interview"),
        required=False,
        choices=[
            ("", _("All")),
            (INTERVIEW_NEEDS_SLOT, _("Needs a slot")),
            (INTERVIEW_HAS_SLOT, _("Has a slot")),
            (INTERVIEW_DONE, _("Interviewed")),
        ],
    )
    order = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("registered", _("Registered, oldest first")),
            ("-registered", _("Registered, newest first")),
            ("name", _("Name, A–Z")),
            ("-name", _("Name, Z–A")),
            ("company", _("Company")),
            ("status", _("Status")),
        ],
    )

    def __init__(
        self,
        *args: Any,
        time_slots: list[TimeSlot],
        channels: list[Any] | None = None,
        themes: list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_slot"].choices = [("", _("All time slots"))] + [(s.key, s.label) for s in time_slots]  # type: ignore[attr-defined]
        self.fields["industry"].choices = [("", _("All industries")), *industry_choices()]  # type: ignore[attr-defined]
        self.fields["channel"].choices = [  # type: ignore[attr-defined]
            ("", _("All channels")),
            *[(c.key, c.label) for c in channels or []],
            (NO_CHANNEL, _("No channel")),
        ]
        self.fields["theme"].choices = [("", _("All themes"))] + [(t.key, t.label) for t in themes or []]  # type: ignore[attr-defined]

    def to_filters(self) -> ParticipantFilters:
        """The chosen filters; none when the address held something unknown (the form shows what)."""
        if not self.is_valid():
            return ParticipantFilters()
        data = self.cleaned_data
        return ParticipantFilters(
            status=data["status"],
            query=data["q"].strip(),
            time_slot=data["time_slot"],
            industry=data["industry"],
            channel=data["channel"],
            theme=data["theme"],
            interview=data["interview"],
            order=data["order"] or "registered",
        )


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Needed when declining, cancelling or withdrawing. Staff see it in the history."),
    )

    def __init__(self, *args: Any, current: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Status.choices)
        targets = machine.allowed_targets(current) if current else Status.values
        self.fields["to_status"].choices = [(s, labels[s]) for s in Status.values if s in targets]  # type: ignore[attr-defined]


class BulkStatusForm(StatusChangeForm):
    participants: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.MultipleHiddenInput
    )  # type: ignore[arg-type]
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, queryset: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = queryset  # type: ignore[attr-defined]
        self.fields["participants"].error_messages["required"] = _("Choose at least one participant.")


class OrganisationForm(forms.ModelForm):
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["name", "time_zone", "support_email", "support_phone", "support_hours", "website"]

    def _post_clean(self) -> None:
        pass


class ClosedPeriodForm(forms.ModelForm):
    class Meta:
        model = ClosedPeriod
        fields = ["name", "start_date", "end_date"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    def _post_clean(self) -> None:
        pass


class PartnerForm(forms.Form):
    """A partner organisation, by its address name, that may ask this organisation's facilitators."""

    partner = forms.CharField(
        label=_("The partner's address name"),
        max_length=60,
        help_text=_("The short name in the partner's Kollega addresses, for example “kasvu-ry”."),
        error_messages={"required": _("Write the partner organisation's address name.")},
    )


class VideoLinksForm(forms.Form):
    """How interviews and meetings get their video links (the interviews app saves it)."""

    video_links = forms.ChoiceField(
        label=_("Video links"), choices=VideoLinks.choices, widget=forms.RadioSelect, initial=VideoLinks.JITSI
    )
    jitsi_url = forms.URLField(
        label=_("Jitsi server address"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("For example https://meet.jit.si or your own server. Used when Kollega makes the rooms."),
    )
    # Not required: a form sent without it keeps the organisation's choice.
    link_scope = forms.ChoiceField(
        label=_("Group meetings"),
        choices=LinkScope.choices,
        widget=forms.RadioSelect,
        initial=LinkScope.GROUP,
        required=False,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "video_links": organisation.video_links,
                "jitsi_url": organisation.jitsi_url,
                "link_scope": organisation.link_scope,
            },
        )
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("video_links") == VideoLinks.JITSI and not data.get("jitsi_url") and "jitsi_url" not in self.errors:
            self.add_error("jitsi_url", _("Give the address of the Jitsi server, for example https://meet.jit.si."))
        return data
