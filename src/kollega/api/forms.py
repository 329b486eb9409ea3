"""Forms of the API token pages. They parse input; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Say what will use the token, such as the reporting script, so that you can tell tokens apart."),
        error_messages={"required": _("Give the token a name.")},
    )
