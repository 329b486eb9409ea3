"""The participant status machine: which moves are allowed.

registered → (waiting list) → interview booked → interviewed → accepted or
declined → in group → completed. Cancelled (left before the group's first held
meeting) and withdrawn (left after it) can be reached from any state where the
person is still taking part. Rules that depend on the group's meetings
(started, completed) are checked in :mod:`kollega.core.services`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kollega.core.models import Status

S = Status

#: Where each status may go next.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.REGISTERED: frozenset({S.WAITING_LIST, S.INTERVIEW_BOOKED, S.DECLINED, S.CANCELLED}),
    # A freed place moves the first on the waiting list back to "registered".
    S.WAITING_LIST: frozenset({S.REGISTERED, S.INTERVIEW_BOOKED, S.DECLINED, S.CANCELLED}),
    # A no-show or a cancelled booking returns the person to "registered" to book again.
    S.INTERVIEW_BOOKED: frozenset({S.REGISTERED, S.INTERVIEWED, S.DECLINED, S.CANCELLED}),
    S.INTERVIEWED: frozenset({S.ACCEPTED, S.DECLINED, S.CANCELLED}),
    S.ACCEPTED: frozenset({S.IN_GROUP, S.DECLINED, S.CANCELLED}),
    # Leaving a group is "cancelled" before its first held meeting and
    # "withdrawn" after it; back to "accepted" moves a person out of a group
    # before it starts.
    S.IN_GROUP: frozenset({S.ACCEPTED, S.COMPLETED, S.CANCELLED, S.WITHDRAWN}),
    S.DECLINED: frozenset(),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.WITHDRAWN: frozenset(),
}

#: Moves that need a reason written down.
REASON_REQUIRED = frozenset({S.DECLINED, S.CANCELLED, S.WITHDRAWN})

#: Statuses in which the person no longer takes part.
FINAL = frozenset(s for s, targets in TRANSITIONS.items() if not targets)

#: Still on the way in (not yet in a group, not finished).
APPLICANT = frozenset({S.REGISTERED, S.WAITING_LIST, S.INTERVIEW_BOOKED, S.INTERVIEWED, S.ACCEPTED})

STATUS_HELP = {
    S.REGISTERED: _("Has registered and waits for an intake interview."),
    S.WAITING_LIST: _("The programme is full; waits for a place."),
    S.INTERVIEW_BOOKED: _("Has booked an intake interview."),
    S.INTERVIEWED: _("Has had the intake interview; waits for a decision."),
    S.ACCEPTED: _("Accepted; waits for a group."),
    S.DECLINED: _("Not taken into the programme."),
    S.IN_GROUP: _("Placed in a group."),
    S.COMPLETED: _("Took part to the end."),
    S.CANCELLED: _("Left before the group's first meeting."),
    S.WITHDRAWN: _("Left after the group had started."),
}


def allowed_targets(status: str) -> frozenset[str]:
    return TRANSITIONS.get(status, frozenset())
