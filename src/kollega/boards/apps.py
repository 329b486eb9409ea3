from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BoardsConfig(AppConfig):
    """Step 5: each group's shared board."""

    name = "kollega.boards"
    label = "boards"
    verbose_name = _("Boards")
