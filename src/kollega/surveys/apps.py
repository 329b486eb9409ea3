from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    """Forms as data: questions, versions and answers."""

    name = "kollega.surveys"
    label = "surveys"
    verbose_name = _("Surveys")
