from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """Step 6: reports and the change in well-being."""

    name = "kollega.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")
