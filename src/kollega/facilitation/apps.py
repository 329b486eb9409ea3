from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacilitationConfig(AppConfig):
    """Step 5: the facilitator's console."""

    name = "kollega.facilitation"
    label = "facilitation"
    verbose_name = _("Facilitation")
