from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class APIConfig(AppConfig):
    """The JSON API under /api/v1/."""

    name = "kollega.api"
    label = "api"
    verbose_name = _("API")
