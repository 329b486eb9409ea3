"""Forms of the coordinator's form editor. They parse what is typed; ``surveys.services`` decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from kollega.core.models import ConsentItem
from kollega.core.models.texts import localized
from kollega.surveys import engine
from kollega.surveys.models import OPTION_TYPES, Form, OptionsSource, Question, QuestionType
from kollega.surveys.services import KEY_PATTERN

LANGUAGE_NAMES = {"fi": _("Finnish"), "sv": _("Swedish"), "en": _("English")}
LANGUAGE_LABELS = {"fi": _("in Finnish"), "sv": _("in Swedish"), "en": _("in English")}

#: What each type is for, shown where the coordinator chooses the type.
TYPE_HELP: dict[str, Any] = {
    QuestionType.SHORT_TEXT: _("One line of text, such as a name or a place."),
    QuestionType.LONG_TEXT: _("Several lines of free text, such as expectations."),
    QuestionType.NUMBER: _("A whole number, optionally between a smallest and a largest."),
    QuestionType.EMAIL: _("An email address, checked for its form."),
    QuestionType.PHONE: _("A phone number."),
    QuestionType.SINGLE_CHOICE: _("One option from a list."),
    QuestionType.MULTIPLE_CHOICE: _("Any number of options from a list."),
    QuestionType.RANKING: _("The options put in order, most wanted first."),
    QuestionType.RATING_SCALE: _("A number on a scale, such as 1–5, with labelled ends."),
    QuestionType.YES_NO: _("Yes or no."),
    QuestionType.CONSENT: _("A box to tick to give a consent, such as to the privacy notice."),
}

OPTION_SEPARATOR = "|"


def form_languages(form: Form) -> list[str]:
    """The languages a form is written in: its programme's, or every language Kollega speaks."""
    known = [code for code, _name in settings.LANGUAGES]
    chosen = [lang for lang in (form.programme.languages or []) if lang in known] if form.programme else []
    return chosen or known


def language_gaps(question: Question, languages: list[str]) -> list[str]:
    """The languages in which the question lacks its text, an option label or a scale label."""
    gaps = []
    for lang in languages:
        missing = not (question.text or {}).get(lang)
        if question.type in OPTION_TYPES and not question.options_source:
            missing = missing or any(
                not (option.get("label") or {}).get(lang) for option in question.options if isinstance(option, dict)
            )
        labels = question.scale_labels if isinstance(question.scale_labels, dict) else {}
        for end in ("min", "max"):
            if labels.get(end) and not labels[end].get(lang):
                missing = True
        if missing:
            gaps.append(lang)
    return gaps


def options_to_lines(options: list[Any], languages: list[str]) -> str:
    lines = []
    for option in options:
        if isinstance(option, dict):
            labels = option.get("label") or {}
            lines.append(" | ".join([str(option.get("key", "")), *(labels.get(lang, "") for lang in languages)]))
    return "\n".join(lines)


def lines_to_options(text: str, languages: list[str]) -> list[dict[str, Any]]:
    """Parse ``key | label | label …`` lines (labels in ``languages`` order); the key may be left out."""
    options: list[dict[str, Any]] = []
    errors: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [cell.strip() for cell in line.split(OPTION_SEPARATOR)]
        if len(cells) == len(languages) + 1:
            key, labels = cells[0], cells[1:]
        elif len(cells) == len(languages):
            key, labels = "", cells
        else:
            errors.append(
                str(
                    _("Line %(line)d: write the key and then one label per language, separated by “|”.")
                    % {"line": number}
                )
            )
            continue
        label = {lang: text for lang, text in zip(languages, labels, strict=True) if text}
        if not label:
            errors.append(
                str(_("Line %(line)d: write the option's label in at least one language.") % {"line": number})
            )
            continue
        key = key or slugify(next(iter(label.values()))).replace("_", "-")[:50].strip("-")
        if not KEY_PATTERN.match(key):
            errors.append(
                str(
                    _(
                        "Line %(line)d: the key “%(key)s” does not work. Use lower-case letters, digits, "
                        "hyphens and underscores."
                    )
                    % {"line": number, "key": key}
                )
            )
            continue
        if key in seen:
            errors.append(str(_("Line %(line)d: the key “%(key)s” is already used.") % {"line": number, "key": key}))
            continue
        seen.add(key)
        options.append({"key": key, "label": label})
    if errors:
        raise ValidationError(errors)
    return options


class TypeChoiceForm(forms.Form):
    type = forms.ChoiceField(
        label=_("Type of question"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the type of question."),
            "invalid_choice": _("Choose the type of question."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Built per request, so that the labels are in the page's language.
        self.fields["type"].choices = [  # type: ignore[attr-defined]
            (value, f"{label} – {TYPE_HELP[value]}") for value, label in QuestionType.choices
        ]


class QuestionForm(forms.Form):
    """One question of a given type: only the fields that type uses."""

    key = forms.CharField(
        label=_("Key"),
        max_length=50,
        error_messages={"required": _("Give the question a key.")},
        help_text=_(
            "A short name for the answers in exports and the API: lower-case letters, digits, hyphens and "
            "underscores, such as “company_size”."
        ),
    )
    required = forms.BooleanField(label=_("An answer is required"), required=False)

    def __init__(
        self,
        *args: Any,
        form: Form,
        qtype: str,
        earlier: list[Question],
        question: Question | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.survey = form
        self.qtype = qtype
        self.question = question
        self.languages = form_languages(form)
        self.earlier = earlier
        self.is_option_type = qtype in OPTION_TYPES
        q = question
        if q is not None:
            self.fields["key"].initial = q.key
            self.fields["required"].initial = q.required
        for lang in self.languages:
            self.fields[f"text_{lang}"] = forms.CharField(
                label=f"{_('Question')} ({LANGUAGE_LABELS[lang]})",
                required=False,
                max_length=500,
                initial=(q.text if q else {}).get(lang, ""),
            )
        for lang in self.languages:
            self.fields[f"help_{lang}"] = forms.CharField(
                label=f"{_('Help text')} ({LANGUAGE_LABELS[lang]})",
                required=False,
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=(q.help if q else {}).get(lang, ""),
            )
        if self.is_option_type:
            if form.programme_id is not None:
                self.fields["options_source"] = forms.ChoiceField(
                    label=_("Where the options come from"),
                    choices=OptionsSource.choices,
                    required=False,
                    initial=q.options_source if q else "",
                    help_text=_(
                        "The programme's time slots, themes and channels are read each time the form is shown, "
                        "so the options stay up to date."
                    ),
                )
            example = " | ".join(["morning", *(str(LANGUAGE_NAMES[lang]) for lang in self.languages)])
            self.fields["options"] = forms.CharField(
                label=_("Options"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
                max_length=20000,
                initial=options_to_lines(q.options, self.languages) if q and not q.options_source else "",
                help_text=_(
                    "Needed unless the options come from the programme. One option a line: its key, then its "
                    "label in each language, separated by “|”, for example: %(example)s. You may leave out "
                    "the key: it is then made from the first label."
                )
                % {"example": example},
            )
        if qtype == QuestionType.RANKING:
            self.fields["allow_partial"] = forms.BooleanField(
                label=_("People may rank only the options they care about"),
                required=False,
                initial=q.allow_partial if q else False,
            )
        if qtype == QuestionType.RATING_SCALE:
            labels = q.scale_labels if q and isinstance(q.scale_labels, dict) else {}
            self.fields["scale_min"] = forms.IntegerField(
                label=_("Lowest point"),
                required=False,
                initial=q.scale_min if q and q.scale_min is not None else 1,
                min_value=-100,
                max_value=100,
            )
            self.fields["scale_max"] = forms.IntegerField(
                label=_("Highest point"),
                required=False,
                initial=q.scale_max if q and q.scale_max is not None else 5,
                min_value=-100,
                max_value=100,
            )
            for end, end_label in (("min", _("Label of the lowest point")), ("max", _("Label of the highest point"))):
                for lang in self.languages:
                    self.fields[f"scale_{end}_label_{lang}"] = forms.CharField(
                        label=f"{end_label} ({LANGUAGE_LABELS[lang]})",
                        required=False,
                        max_length=100,
                        initial=(labels.get(end) or {}).get(lang, ""),
                    )
        if qtype == QuestionType.NUMBER:
            limit = engine.INTEGER_LIMIT - 1
            self.fields["number_min"] = forms.IntegerField(
                label=_("Smallest number"),
                required=False,
                min_value=-limit,
                max_value=limit,
                initial=q.number_min if q else None,
            )
            self.fields["number_max"] = forms.IntegerField(
                label=_("Largest number"),
                required=False,
                min_value=-limit,
                max_value=limit,
                initial=q.number_max if q else None,
            )
        if qtype in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
            default = engine.LONG_TEXT_MAX if qtype == QuestionType.LONG_TEXT else engine.SHORT_TEXT_MAX
            self.fields["max_length"] = forms.IntegerField(
                label=_("Longest answer, in characters"),
                required=False,
                min_value=1,
                max_value=engine.RAW_TEXT_LIMIT,
                initial=q.max_length if q else None,
                help_text=_("Leave empty for the usual %(limit)d characters.") % {"limit": default},
            )
        if qtype == QuestionType.CONSENT:
            self.fields["consent_item"] = forms.ChoiceField(
                label=_("The consent this box gives"),
                error_messages={"required": _("Choose the consent this question asks for.")},
                choices=[("", "—"), *ConsentItem.choices],
                initial=q.consent_item if q else "",
                help_text=_("Each answer is recorded as this consent, with the version of its text."),
            )
        if earlier:
            condition = q.show_if if q and isinstance(q.show_if, dict) else {}
            self.fields["show_if_question"] = forms.ChoiceField(
                label=_("Show this question only when the question"),
                required=False,
                choices=[("", _("— always show it —"))]
                + [(e.key, f"{e.key}: {localized(e.text)}"[:120]) for e in earlier],
                initial=condition.get("question", ""),
            )
            self.fields["show_if_operator"] = forms.ChoiceField(
                label=_("has the answer"),
                choices=[("equals", _("is")), ("contains", _("contains (multiple choice)"))],
                initial="contains" if "contains" in condition else "equals",
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields["show_if_value"] = forms.CharField(
                label=_("Answer"),
                required=False,
                max_length=100,
                initial=condition.get("contains", condition.get("equals", "")),
                help_text=_(
                    "For a choice question, the option's key; for a yes-or-no question, “yes” or “no”; "
                    "otherwise the answer itself."
                ),
            )

    # --- groups of fields for the template's fieldsets ---

    def _present(self, names: list[str]) -> list[BoundField]:
        return [self[name] for name in names if name in self.fields]

    def texts_fields(self) -> list[BoundField]:
        return self._present([f"text_{lang}" for lang in self.languages] + [f"help_{lang}" for lang in self.languages])

    def answer_fields(self) -> list[BoundField]:
        names = ["options_source", "options", "allow_partial", "scale_min", "scale_max"]
        names += [f"scale_{end}_label_{lang}" for end in ("min", "max") for lang in self.languages]
        names += ["number_min", "number_max", "max_length", "consent_item"]
        return self._present(names)

    def condition_fields(self) -> list[BoundField]:
        return self._present(["show_if_question", "show_if_operator", "show_if_value"])

    # --- parsing ---

    def clean_key(self) -> str:
        return (self.cleaned_data.get("key") or "").strip().lower()

    def clean_options(self) -> list[dict[str, Any]]:
        text = self.cleaned_data.get("options") or ""
        if self.data.get(self.add_prefix("options_source")):
            return []
        return lines_to_options(text, self.languages)

    def _per_language(self, prefix: str, keep: dict[str, str] | None) -> dict[str, str]:
        """Typed texts merged over those stored in languages the form does not show."""
        merged = dict(keep or {})
        for lang in self.languages:
            merged[lang] = (self.cleaned_data.get(f"{prefix}_{lang}") or "").strip()
        return {lang: text for lang, text in merged.items() if text}

    def values(self) -> dict[str, Any]:
        """Keyword arguments for ``question_add`` / ``question_update`` (key and type included)."""
        q = self.question
        data = self.cleaned_data
        values: dict[str, Any] = {
            "key": data["key"],
            "type": self.qtype,
            "required": bool(data.get("required")),
            "text": self._per_language("text", q.text if q else None),
            "help": self._per_language("help", q.help if q else None),
            # Fields another type used are cleared, so a changed type leaves nothing behind.
            "options": [],
            "options_source": "",
            "allow_partial": False,
            "scale_min": None,
            "scale_max": None,
            "scale_labels": {},
            "number_min": None,
            "number_max": None,
            "max_length": None,
            "consent_item": "",
            "show_if": None,
        }
        if self.is_option_type:
            values["options_source"] = data.get("options_source") or ""
            values["options"] = [] if values["options_source"] else data.get("options") or []
        if self.qtype == QuestionType.RANKING:
            values["allow_partial"] = bool(data.get("allow_partial"))
        if self.qtype == QuestionType.RATING_SCALE:
            values["scale_min"], values["scale_max"] = data.get("scale_min"), data.get("scale_max")
            stored = q.scale_labels if q and isinstance(q.scale_labels, dict) else {}
            labels = {end: self._per_language(f"scale_{end}_label", stored.get(end)) for end in ("min", "max")}
            values["scale_labels"] = {end: texts for end, texts in labels.items() if texts}
        if self.qtype == QuestionType.NUMBER:
            values["number_min"], values["number_max"] = data.get("number_min"), data.get("number_max")
        if "max_length" in self.fields:
            values["max_length"] = data.get("max_length")
        if self.qtype == QuestionType.CONSENT:
            values["consent_item"] = data.get("consent_item") or ""
        target = data.get("show_if_question")
        if target:
            operator = data.get("show_if_operator") or "equals"
            values["show_if"] = {"question": target, operator: (data.get("show_if_value") or "").strip()}
        return values

    def service_aliases(self) -> dict[str, str]:
        first = self.languages[0]
        aliases = {"text": f"text_{first}", "help": f"help_{first}", "show_if": "show_if_question"}
        if self.qtype == QuestionType.RATING_SCALE:
            aliases["scale_labels"] = f"scale_min_label_{first}"
        return aliases
