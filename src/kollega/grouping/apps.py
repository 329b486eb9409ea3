from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GroupingConfig(AppConfig):
    """Step 4: groups, memberships, facilitators and theme plans."""

    name = "kollega.grouping"
    label = "grouping"
    verbose_name = _("Grouping")
