"""Sign-in, staff invitations. (Being implemented.)"""

from __future__ import annotations

from kollega.accounts.models import StaffInvitation, User
from kollega.core.models import Organisation


def staff_invite(
    *, organisation: Organisation, email: str, role: str, invited_by: User | None, full_name: str = ""
) -> StaffInvitation:
    raise NotImplementedError


def sign_in_link_make(*, user: User) -> str:
    """A one-click sign-in path for the demo (refused in production)."""
    raise NotImplementedError
