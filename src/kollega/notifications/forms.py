"""The outbox's filter and resend forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kollega.notifications import kinds
from kollega.notifications.models import NotificationStatus
from kollega.notifications.selectors import OutboxFilters


def _kind_choices() -> list[tuple[str, str]]:
    return [("", str(_("All kinds")))] + [(kind.name, kind.display) for kind in kinds.all_kinds()]


class OutboxFilterForm(forms.Form):
    """Filters kept in the address, so a view of the outbox can be bookmarked and shared."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), *NotificationStatus.choices],
    )
    kind = forms.ChoiceField(label=_("Kind of message"), required=False)
    q = forms.CharField(label=_("Recipient"), required=False, max_length=200)
    about = forms.RegexField(regex=r"^[a-z_]+\.[a-z_]+:\d+$", required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Kinds are registered by apps at start-up, so the choices are read per request.
        self.fields["kind"].choices = _kind_choices()  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})

    def filters(self) -> OutboxFilters:
        """What to filter by; a value that is not valid filters nothing (its error is shown by the field)."""
        if not self.is_bound:
            return OutboxFilters()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return OutboxFilters(
            status=data.get("status") or "",
            kind=data.get("kind") or "",
            query=data.get("q") or "",
            about=data.get("about") or "",
        )


class ResendForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, send this message again, even though the recipient may already have it."),
        required=False,
    )
