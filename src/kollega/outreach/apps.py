from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    """Step 1: the public programme page and outreach channels."""

    name = "kollega.outreach"
    label = "outreach"
    verbose_name = _("Outreach")
