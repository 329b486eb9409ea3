from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """People, sign-in, staff invitations and API tokens."""

    name = "kollega.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from kollega.accounts.notifications import register_kinds

        register_kinds()
