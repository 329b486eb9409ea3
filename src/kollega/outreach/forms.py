"""Forms of the coordinator's outreach pages. They parse input; services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from kollega.core.forms import LANGUAGE_LABELS
from kollega.outreach import services
from kollega.outreach.models import PAGE_TEXT_FIELDS, Channel, ChannelKind, ProgrammePage
from kollega.outreach.selectors import PAGE_TEXT_LABELS

LANGUAGE_NAMES = {"fi": _("Finnish"), "sv": _("Swedish"), "en": _("English")}

PAGE_TEXT_HELP = {
    "summary": _("One or two sentences. They open the page and show when the link is shared."),
    "for_whom": _("Who should register, in the words they would use of themselves."),
    "what_happens": _("How the groups work, from registration to the last meeting."),
    "dates": _("When the groups meet and when registration closes."),
    "commitment": _("How many meetings, how long, how often, and that we ask people to come to all of them."),
    "facilitators": _("Who leads the meetings."),
    "cost": _("What taking part costs; usually nothing."),
    "privacy_notice": _(
        "How the organisation handles registrants' personal data. The page cannot be published without it."
    ),
}


def apply_service_errors(form: forms.Form, exc: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: next to the field it names, else at the top."""
    aliases = aliases or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = aliases.get(name, name)
            for error in errors:
                form.add_error(target if target in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class PageTextsForm(forms.Form):
    """The page's texts: one field per text and language, for the programme's languages only."""

    def __init__(self, *args: Any, page: ProgrammePage, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.page = page
        self.languages = languages
        for lang in languages:
            for name in PAGE_TEXT_FIELDS:
                limit = services.PRIVACY_NOTICE_MAX if name == "privacy_notice" else services.PAGE_TEXT_MAX
                rows = 8 if name in {"privacy_notice", "what_happens"} else 3
                self.fields[f"{name}_{lang}"] = forms.CharField(
                    label=f"{PAGE_TEXT_LABELS[name]} ({LANGUAGE_LABELS[lang]})",
                    help_text=PAGE_TEXT_HELP[name],
                    required=False,
                    max_length=limit,
                    strip=True,
                    widget=forms.Textarea(attrs={"rows": rows}),
                    initial=(getattr(page, name) or {}).get(lang, ""),
                )

    def by_language(self) -> list[tuple[str, str, list[BoundField]]]:
        """(language code, its name, its fields) for one fieldset per language."""
        return [
            (lang, str(LANGUAGE_NAMES[lang]), [self[f"{name}_{lang}"] for name in PAGE_TEXT_FIELDS])
            for lang in self.languages
        ]

    def texts(self) -> dict[str, dict[str, str]]:
        """Every text per language; texts in languages the programme no longer uses are kept as they were."""
        values: dict[str, dict[str, str]] = {}
        for name in PAGE_TEXT_FIELDS:
            merged = dict(getattr(self.page, name) or {})
            for lang in self.languages:
                merged[lang] = self.cleaned_data.get(f"{name}_{lang}") or ""
            values[name] = merged
        return values

    def service_aliases(self) -> dict[str, str]:
        first = self.languages[0]
        return {name: f"{name}_{first}" for name in PAGE_TEXT_FIELDS}


class ChannelForm(forms.Form):
    """Add or edit a channel: its name per language, its kind and the tag of its share link."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ChannelKind.choices, initial=ChannelKind.OTHER)
    key = forms.CharField(
        label=_("Link tag"),
        required=False,
        max_length=services.CHANNEL_KEY_MAX,
        help_text=_(
            "The end of the share link, as in ?c=newsletter. Leave it empty to make it from the name. "
            "It cannot change once the channel has brought registrations."
        ),
    )

    def __init__(
        self, *args: Any, languages: list[str], channel: Channel | None = None, key_locked: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.languages = languages
        names: dict[str, forms.Field] = {}
        for lang in languages:
            names[f"name_{lang}"] = forms.CharField(
                label=f"{_('Name')} ({LANGUAGE_LABELS[lang]})",
                required=False,
                max_length=services.CHANNEL_NAME_MAX,
                initial=(channel.name if channel else {}).get(lang, ""),
            )
        self.fields = {**names, **self.fields}
        self.fields[f"name_{languages[0]}"].help_text = _(
            "Registrants see the name when they answer where they heard of the programme. "
            "Write it in at least one language."
        )
        if channel is not None:
            self.fields["kind"].initial = channel.kind
            self.fields["key"].initial = channel.key
        if key_locked:
            self.fields["key"].disabled = True
            self.fields["key"].help_text = _(
                "This channel has brought registrations, so its link tag stays: links already shared keep working."
            )

    def names(self) -> dict[str, str]:
        merged = dict(self.channel.name) if self.channel else {}
        for lang in self.languages:
            merged[lang] = (self.cleaned_data.get(f"name_{lang}") or "").strip()
        return {lang: text for lang, text in merged.items() if text}

    def service_aliases(self) -> dict[str, str]:
        return {"name": f"name_{self.languages[0]}"}
