"""Forms of the facilitators page and the theme plan page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kollega.accounts.models import User
from kollega.core.models import Theme
from kollega.grouping.facilitators import Load
from kollega.grouping.models import Group, ThemePlanItem


def person_label(load: Load, *, home_organisation: str) -> str:
    """A facilitator as the select shows them: name, a partner's name if they come from one, and their load."""
    name = str(load.user)
    if load.organisation and load.organisation != home_organisation:
        name = f"{name} – {load.organisation}"
    return str(_("%(name)s (groups: %(groups)s)") % {"name": name, "groups": load.groups})


class GroupFacilitatorsForm(forms.Form):
    """One group's two facilitators. Choices are built once per page and shared by every group's form."""

    lead = forms.ChoiceField(label=_("Lead facilitator"), required=False)
    co = forms.ChoiceField(label=_("Co-facilitator"), required=False)
    confirm_clash = forms.BooleanField(label=_("Assign anyway"), required=False)

    def __init__(
        self, *args: Any, group: Group, people: dict[int, User], choices: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        kwargs.setdefault("prefix", f"g{group.pk}")
        kwargs.setdefault(
            "initial",
            {"lead": group.lead_facilitator_id or "", "co": group.co_facilitator_id or ""},
        )
        super().__init__(*args, **kwargs)
        self.group = group
        self.people = people
        form_id = f"facilitators-{group.pk}"
        for name in ("lead", "co"):
            field = self.fields[name]
            field.choices = [("", _("No one yet")), *choices]  # type: ignore[attr-defined]
            field.widget.attrs["form"] = form_id
            field.error_messages["invalid_choice"] = _("Choose one of the people in the list.")
        self.fields["confirm_clash"].widget.attrs["form"] = form_id

    def person(self, name: str) -> User | None:
        value = self.cleaned_data.get(name)
        return self.people[int(value)] if value else None


class ThemePlanForm(forms.Form):
    """The theme of each meeting after the first, one select per meeting."""

    def __init__(
        self, *args: Any, numbers: list[int], themes: list[Theme], plan: dict[int, ThemePlanItem], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(t.pk), t.label) for t in themes]
        for number in numbers:
            item = plan.get(number)
            self.fields[f"meeting_{number}"] = forms.ChoiceField(
                label=_("Meeting %(number)s") % {"number": number},
                # A meeting without a theme may stay so; one with a theme can only get another.
                choices=choices if item else [("", _("Not chosen yet")), *choices],
                required=False,
                initial=str(item.theme_id) if item else "",
                error_messages={"invalid_choice": _("Choose one of the programme's themes.")},
            )
        self.numbers = numbers

    def plan(self) -> dict[int, int]:
        """Meeting number → theme id, for the meetings given a theme."""
        return {
            n: int(self.cleaned_data[f"meeting_{n}"]) for n in self.numbers if self.cleaned_data.get(f"meeting_{n}")
        }
