"""Facilitators for groups: who may be chosen, how much each already does, and clashes in their calendars.

A group's lead facilitator and co-facilitator come from the staff (facilitators
and coordinators) of the programme's organisation and of the partner
organisations that lend it their facilitators (``Organisation.lends_facilitators_to``).

A group meets at the times of its meetings: a meeting that has been scheduled
(a ``meetings.Meeting`` row) counts at its own time unless it was cancelled; a
meeting not scheduled yet counts at its planned time, the group's first meeting
date plus the programme's interval, within the group's time slot. Two groups
clash for a person when any of their meetings overlap in time. Groups on the
same weekday and slot that meet on alternate weeks therefore do not clash.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kollega.accounts.models import User
from kollega.core.models import Organisation, Programme, StaffMembership
from kollega.core.selectors import AnyUser, programme_get_for_coordinator
from kollega.core.services import audit_log
from kollega.grouping.models import Group
from kollega.meetings.models import Meeting, MeetingStatus

# --- who may be chosen --------------------------------------------------------


def _organisation_ids(*, programme: Programme) -> set[int]:
    """The programme's organisation and the partners that lend it their facilitators."""
    lenders = Organisation.objects.filter(lends_facilitators_to=programme.organisation_id).values_list("pk", flat=True)
    return {programme.organisation_id, *lenders}


def facilitator_choices(*, programme: Programme) -> list[User]:
    """Staff who may facilitate the programme's groups: its organisation's and its lending partners'."""
    return list(
        User.objects.filter(
            is_active=True, staff_memberships__organisation_id__in=_organisation_ids(programme=programme)
        )
        .distinct()
        .order_by("full_name", "email")
    )


def facilitators_for_group(*, group: Group) -> dict[int, User]:
    """Who may be made the group's lead or co-facilitator, by id: the choices and whoever facilitates it now.

    Ids are looked up only here, never among every account, so that an id
    outside this set tells the person asking nothing about whose it is.
    """
    people = {u.pk: u for u in facilitator_choices(programme=group.programme)}
    current = [pk for pk in (group.lead_facilitator_id, group.co_facilitator_id) if pk is not None]
    missing = [pk for pk in current if pk not in people]
    if missing:
        people.update({u.pk: u for u in User.objects.filter(pk__in=missing)})
    return people


def not_choosable_message(pk: object) -> str:
    """The one answer for an id that cannot be chosen, whoever's it is (or whether it is anyone's)."""
    return _("No facilitator with id %(id)s can be chosen for this group.") % {"id": pk}


# --- load ---------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """What one person already facilitates, in every programme of every organisation."""

    user: User
    organisation: str  # the organisations (of those the programme may use) where the person is staff
    groups_led: int
    groups_co: int
    meetings: int  # not cancelled, including those not scheduled yet
    meetings_to_come: int

    @property
    def groups(self) -> int:
        return self.groups_led + self.groups_co


@dataclass(frozen=True)
class Occurrence:
    number: int
    starts_at: datetime
    ends_at: datetime


def meeting_times(group: Group) -> list[Occurrence]:
    """When the group meets: its scheduled meetings that are not cancelled, and the planned times of the rest.

    Reads ``group.meetings.all()`` (prefetch it when calling for many groups),
    ``group.programme.organisation`` and ``group.time_slot``.
    """
    programme = group.programme
    rows = {m.number: m for m in group.meetings.all()}
    out = []
    for number in sorted(set(range(1, programme.meeting_count + 1)) | set(rows)):
        meeting = rows.get(number)
        if meeting is not None:
            if meeting.status != MeetingStatus.CANCELLED:
                out.append(Occurrence(number, meeting.starts_at, meeting.ends_at))
            continue
        day = planned_date(group, number)
        tz = programme.organisation.tz
        out.append(
            Occurrence(
                number,
                datetime.combine(day, group.time_slot.start_time, tzinfo=tz),
                datetime.combine(day, group.time_slot.end_time, tzinfo=tz),
            )
        )
    return out


def planned_date(group: Group, number: int) -> date:
    """The date of the group's meeting ``number`` by its plan: the first meeting plus the programme's interval."""
    return group.start_date + timedelta(days=(number - 1) * group.programme.meeting_interval_days)


def _groups_of(users: Iterable[int]) -> QuerySet[Group]:
    """Every group the people lead or co-facilitate, with what ``meeting_times`` reads."""
    ids = list(users)
    return (
        Group.objects.filter(Q(lead_facilitator_id__in=ids) | Q(co_facilitator_id__in=ids))
        .select_related("programme__organisation", "time_slot")
        .prefetch_related(Prefetch("meetings", queryset=Meeting.objects.order_by("number")))
    )


def facilitator_load(*, programme: Programme) -> list[Load]:
    """Per person who may facilitate the programme's groups (and anyone already doing so): groups and meetings."""
    people = {u.pk: u for u in facilitator_choices(programme=programme)}
    assigned = set(Group.objects.filter(programme=programme).values_list("lead_facilitator_id", "co_facilitator_id"))
    missing = {pk for pair in assigned for pk in pair if pk is not None and pk not in people}
    if missing:
        people.update({u.pk: u for u in User.objects.filter(pk__in=missing)})
    led = dict.fromkeys(people, 0)
    co = dict.fromkeys(people, 0)
    meetings = dict.fromkeys(people, 0)
    to_come = dict.fromkeys(people, 0)
    now = timezone.now()
    for group in _groups_of(people):
        times = meeting_times(group)
        upcoming = sum(1 for t in times if t.ends_at > now)
        for pk, counter in ((group.lead_facilitator_id, led), (group.co_facilitator_id, co)):
            if pk in people:
                counter[pk] += 1
                meetings[pk] += len(times)
                to_come[pk] += upcoming
    organisations: dict[int, list[str]] = {}
    for user_id, name in (
        StaffMembership.objects.filter(user_id__in=people, organisation_id__in=_organisation_ids(programme=programme))
        .order_by("organisation__name")
        .values_list("user_id", "organisation__name")
        .distinct()
    ):
        organisations.setdefault(user_id, []).append(name)
    return [
        Load(
            user=user,
            organisation=", ".join(organisations.get(pk, [])),
            groups_led=led[pk],
            groups_co=co[pk],
            meetings=meetings[pk],
            meetings_to_come=to_come[pk],
        )
        for pk, user in sorted(people.items(), key=lambda item: (item[1].full_name, item[1].email))
    ]


# --- clashes ------------------------------------------------------------------


@dataclass(frozen=True)
class Clash:
    """``user`` also facilitates ``group``, which meets at the same time as the group in question.

    ``seen_from`` is the organisation of the group in question, whose
    coordinators read the message: a clashing group of another organisation
    is told only by its weekday and time (in ``seen_from``'s time zone), never
    by its name or programme.
    """

    user: User
    group: Group
    starts_at: datetime  # the first time both meet at once
    times: int  # how many of the group in question's meetings overlap one of ``group``'s
    seen_from: Organisation

    def message(self) -> str:
        local = timezone.localtime(self.starts_at, self.seen_from.tz)
        if self.group.programme.organisation_id != self.seen_from.pk:
            return ngettext(
                "%(person)s also facilitates a group of another organisation (%(weekday)s, %(time)s) "
                "at the same time: %(count)s meeting overlaps, on %(date)s.",
                "%(person)s also facilitates a group of another organisation (%(weekday)s, %(time)s) "
                "at the same time: %(count)s meetings overlap, the first on %(date)s.",
                self.times,
            ) % {
                "person": self.user,
                "weekday": dateformat.format(local, "l"),
                "time": dateformat.format(local, "H:i"),
                "count": self.times,
                "date": dateformat.format(local, "j.n.Y"),
            }
        return ngettext(
            "%(person)s also facilitates %(group)s (%(programme)s) at the same time: "
            "%(count)s meeting overlaps, on %(date)s at %(time)s.",
            "%(person)s also facilitates %(group)s (%(programme)s) at the same time: "
            "%(count)s meetings overlap, the first on %(date)s at %(time)s.",
            self.times,
        ) % {
            "person": self.user,
            "group": self.group.name,
            "programme": self.group.programme.name,
            "count": self.times,
            "date": dateformat.format(local, "j.n.Y"),
            "time": dateformat.format(local, "H:i"),
        }


def _clashes(*, group: Group, user: User, others: Sequence[Group]) -> list[Clash]:
    """Of ``others``, the groups other than ``group`` that ``user`` facilitates and that meet when ``group`` does."""
    mine = meeting_times(group)
    found = []
    for other in others:
        if other.pk == group.pk or user.pk not in (other.lead_facilitator_id, other.co_facilitator_id):
            continue
        theirs = meeting_times(other)
        overlapping = [a for a in mine if any(a.starts_at < b.ends_at and b.starts_at < a.ends_at for b in theirs)]
        if overlapping:
            found.append(
                Clash(
                    user=user,
                    group=other,
                    starts_at=overlapping[0].starts_at,
                    times=len(overlapping),
                    seen_from=group.programme.organisation,
                )
            )
    return sorted(found, key=lambda c: c.starts_at)


def facilitator_clashes(*, group: Group, user: User) -> list[Clash]:
    """The other groups where ``user`` facilitates that meet at the same time as ``group``."""
    group = (
        Group.objects.select_related("programme__organisation", "time_slot")
        .prefetch_related(Prefetch("meetings", queryset=Meeting.objects.order_by("number")))
        .get(pk=group.pk)
    )
    return _clashes(group=group, user=user, others=list(_groups_of([user.pk]).exclude(pk=group.pk)))


def programme_clashes(*, groups: Sequence[Group]) -> dict[int, list[Clash]]:
    """Per group of the list: its facilitators' clashes with their other groups, in any programme.

    ``groups`` need ``meeting_times``' relations loaded (as ``programme_groups`` does).
    """
    people = {pk for g in groups for pk in (g.lead_facilitator_id, g.co_facilitator_id) if pk is not None}
    if not people:
        return {g.pk: [] for g in groups}
    others = list(_groups_of(people).select_related("lead_facilitator", "co_facilitator"))
    result: dict[int, list[Clash]] = {}
    for group in groups:
        result[group.pk] = [
            clash
            for person in (group.lead_facilitator, group.co_facilitator)
            if person is not None
            for clash in _clashes(group=group, user=person, others=others)
        ]
    return result


# --- reads for the page ---------------------------------------------------------


def programme_groups(*, programme: Programme) -> list[Group]:
    """The programme's groups with their slot, facilitators, size and meetings."""
    return list(
        Group.objects.filter(programme=programme)
        .select_related("programme__organisation", "time_slot", "lead_facilitator", "co_facilitator")
        .annotate(member_count=Count("memberships", distinct=True))
        .prefetch_related(Prefetch("meetings", queryset=Meeting.objects.order_by("number")))
        .order_by("start_date", "name")
    )


def group_get_for_coordinator(*, user: AnyUser, programme_pk: int, group_pk: int) -> Group:
    """A group of a programme the person coordinates; 404 otherwise."""
    from django.shortcuts import get_object_or_404

    programme = programme_get_for_coordinator(user=user, pk=programme_pk)
    return get_object_or_404(
        Group.objects.select_related("programme__organisation", "time_slot", "lead_facilitator", "co_facilitator"),
        pk=group_pk,
        programme=programme,
    )


# --- the write ------------------------------------------------------------------


class FacilitatorClashError(ValidationError):
    """The new facilitators would be in two groups meeting at once; ``confirm_clash`` assigns them anyway."""

    def __init__(self, clashes: list[Clash]) -> None:
        super().__init__([c.message() for c in clashes], code="clash")
        self.clashes = clashes


@transaction.atomic
def group_facilitators_set(
    *,
    group: Group,
    lead: User | None,
    co: User | None,
    actor: User | None,
    confirm_clash: bool = False,
) -> Group:
    """Make ``lead`` the group's lead facilitator and ``co`` its co-facilitator (either may be None).

    Both come from ``facilitators_for_group``: the choices, or a person who
    already facilitates this group (who may stay even if their organisation has
    stopped lending). A person newly given the group who would then be in two
    groups meeting at the same time is refused with ``FacilitatorClashError``
    unless ``confirm_clash``. The chosen people's rows are locked before the
    check, so two coordinators giving the same person two groups at once are
    checked one after the other.
    """
    group = Group.objects.select_for_update(of=("self",)).select_related("programme__organisation").get(pk=group.pk)
    programme = group.programme
    if lead is not None and co is not None and lead.pk == co.pk:
        raise ValidationError({"co": _("The lead facilitator and the co-facilitator must be two different people.")})
    current = {group.lead_facilitator_id, group.co_facilitator_id} - {None}
    allowed = facilitators_for_group(group=group)
    errors: dict[str, str] = {}
    for field, person in (("lead", lead), ("co", co)):
        if person is not None and person.pk not in allowed:
            errors[field] = not_choosable_message(person.pk)
    if errors:
        raise ValidationError(errors)
    chosen = sorted(p.pk for p in (lead, co) if p is not None)
    if chosen:
        list(User.objects.select_for_update().filter(pk__in=chosen).order_by("pk").values_list("pk", flat=True))
    newcomers = [p for p in (lead, co) if p is not None and p.pk not in current]
    clashes = [clash for person in newcomers for clash in facilitator_clashes(group=group, user=person)]
    if clashes and not confirm_clash:
        raise FacilitatorClashError(clashes)
    before = {"lead": group.lead_facilitator_id, "co": group.co_facilitator_id}
    group.lead_facilitator = lead
    group.co_facilitator = co
    group.save(update_fields=["lead_facilitator", "co_facilitator"])
    audit_log(
        action="grouping.group.facilitators_set",
        subject=group,
        actor=actor,
        organisation=programme.organisation,
        data={
            "before": before,
            "lead": lead.pk if lead else None,
            "co": co.pk if co else None,
            "clashes_confirmed": [c.group.pk for c in clashes],
        },
    )
    return group
