"""Test data made through the services, as the product makes it."""

from __future__ import annotations

import itertools
import random
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from kollega.accounts.models import User
from kollega.core import services
from kollega.core.models import Organisation, Participant, Programme, Role, Status
from kollega.grouping.models import Group
from kollega.grouping.services import group_add_member, group_create
from kollega.meetings.models import Meeting
from kollega.meetings.services import meeting_create

_seq = itertools.count(1)


def make_organisation(name: str = "") -> Organisation:
    return services.organisation_create(name=name or f"Organisation {next(_seq)}")


def make_staff(organisation: Organisation, role: str = Role.COORDINATOR, email: str = "", full_name: str = "") -> User:
    user = services.user_get_or_create(
        email=email or f"staff{next(_seq)}@example.org", full_name=full_name or f"Staff Person {next(_seq)}"
    )
    services.staff_membership_add(organisation=organisation, user=user, role=role)
    return user


def make_programme(organisation: Organisation | None = None, **overrides: Any) -> Programme:
    organisation = organisation or make_organisation()
    n = next(_seq)
    return services.programme_create_from_template(
        organisation=organisation, title={"fi": f"Ohjelma {n:05d}", "en": f"Programme {n:05d}"}, **overrides
    )


def make_participant(programme: Programme, status: str = Status.REGISTERED, **fields: Any) -> Participant:
    """A participant walked through the real transitions up to ``status``."""
    n = next(_seq)
    fields.setdefault("email", f"person{n}@example.org")
    fields.setdefault("full_name", f"Person {n}")
    participant = services.participant_create(programme=programme, **fields)
    path = {
        Status.REGISTERED: [],
        Status.WAITING_LIST: [Status.WAITING_LIST],
        Status.INTERVIEW_BOOKED: [Status.INTERVIEW_BOOKED],
        Status.INTERVIEWED: [Status.INTERVIEW_BOOKED, Status.INTERVIEWED],
        Status.ACCEPTED: [Status.INTERVIEW_BOOKED, Status.INTERVIEWED, Status.ACCEPTED],
        Status.DECLINED: [Status.INTERVIEW_BOOKED, Status.INTERVIEWED, Status.DECLINED],
        Status.CANCELLED: [Status.CANCELLED],
    }[status]
    for target in path:
        services.participant_change_status(participant=participant, to_status=target, actor=None, reason="test")
    return participant


#: The themes the programme template offers, as applicants rank them.
THEME_KEYS = ("goals", "work-and-time", "operating-environment", "networks", "recovery", "pricing-sales")
#: Industry letters to draw from: manufacturing twice, so that some applicants share an industry.
INDUSTRIES = "MMSGJNRQFP"


def make_accepted_applicants(
    programme: Programme, n: int, *, slot_keys: tuple[str, ...] = ("morning",), seed: int = 1
) -> list[Participant]:
    """``n`` accepted applicants waiting for a group, who can come at the time slots ``slot_keys`` names.

    Industry, years in business and the four themes each ranks first are drawn
    from ``random.Random(seed)``, so the same seed gives the optimiser the same
    people to group.
    """
    rng = random.Random(seed)
    slots = {slot.key: slot for slot in programme.time_slots.all()}
    people = []
    for _ in range(n):
        ranking = list(THEME_KEYS)
        rng.shuffle(ranking)
        people.append(
            make_participant(
                programme,
                Status.ACCEPTED,
                time_slots=[slots[key] for key in slot_keys],
                industry=rng.choice(INDUSTRIES),
                years_in_business=rng.randint(0, 25),
                theme_ranking=ranking[:4],
            )
        )
    return people


def make_group(
    programme: Programme,
    *,
    members: int = 0,
    lead: User | None = None,
    co: User | None = None,
    start: date | None = None,
    meetings: int = 0,
    first_meeting_at: datetime | None = None,
) -> Group:
    start = start or (timezone.localdate() + timedelta(days=14))
    slot = programme.time_slots.first()
    assert slot is not None
    group = group_create(
        programme=programme,
        name=f"Group {next(_seq):05d}",
        time_slot=slot,
        weekday=start.weekday(),
        start_date=start,
        lead_facilitator=lead,
        co_facilitator=co,
    )
    first = first_meeting_at or timezone.now() + timedelta(days=14)
    # Members join before the first meeting, as they do in life.
    joined = min(timezone.now(), first - timedelta(days=7))
    for _ in range(members):
        group_add_member(group=group, participant=make_participant(programme, Status.ACCEPTED), actor=None, at=joined)
    for number in range(1, meetings + 1):
        meeting_create(
            group=group, number=number, starts_at=first + timedelta(days=programme.meeting_interval_days * (number - 1))
        )
    return group


def meetings_of(group: Group) -> list[Meeting]:
    return list(group.meetings.order_by("number"))
