"""The programme's readiness for forming groups: where the applicants are, per time slot.

The coordinator reads it to know when groups can be formed. A person is
counted under each time slot they can attend (the agreed slots once the
interview record is written, the slots chosen at registration before that),
and once in the "any of them" row. People on the waiting list and people who
no longer take part are not counted. The page takes the same few queries
however many applicants there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from kollega.core import selectors as core_selectors
from kollega.core.models import Participant, Programme, Status, TimeSlot
from kollega.core.selectors import AnyUser
from kollega.evaluation.models import QuestionnaireRound, RoundInvitation, RoundKind
from kollega.interviews.models import InterviewRecord

#: Still in the running or taken in; the waiting list and those who left are not counted.
COUNTED = frozenset(
    {
        Status.REGISTERED,
        Status.INTERVIEW_BOOKED,
        Status.INTERVIEWED,
        Status.ACCEPTED,
        Status.IN_GROUP,
        Status.COMPLETED,
    }
)
#: Taken into the programme (accepted, and later placed in a group or through it).
TAKEN_IN = frozenset({Status.ACCEPTED, Status.IN_GROUP, Status.COMPLETED})


def groups_possible(people: int, *, size_min: int, size_max: int) -> int:
    """How many groups ``people`` make: as few as the largest size allows, none smaller than the smallest.

    12 people with groups of 6–12 make 1; 13 make 2 (7 and 6); 5 make none.
    When the sizes leave no whole split (13 with groups of 8–12), the groups
    that can be full enough are counted (1).
    """
    if size_max < 1 or people < max(size_min, 1):
        return 0
    return min(-(-people // size_max), people // max(size_min, 1))


@dataclass(frozen=True)
class Row:
    """The counts for one time slot (``time_slot``), or for everyone once (``time_slot`` None)."""

    time_slot: TimeSlot | None
    without_booking: int
    booked: int
    interviewed: int
    committed: int
    accepted: int
    baseline: int
    groups: int
    short_of_group: int  # accepted people still missing for the first group; 0 when there are enough


@dataclass(frozen=True)
class Readiness:
    programme: Programme
    rows: list[Row]
    total: Row
    size_min: int
    size_max: int
    baseline_round: bool  # the programme has a baseline round at all

    @property
    def ready_rows(self) -> list[Row]:
        """The time slots where the accepted people make at least one group."""
        return [row for row in self.rows if row.groups]


@dataclass
class _Person:
    status: str
    has_record: bool
    committed: bool
    baseline: bool


def _row(time_slot: TimeSlot | None, people: list[_Person], size_min: int, size_max: int) -> Row:
    accepted = sum(p.status in TAKEN_IN for p in people)
    groups = groups_possible(accepted, size_min=size_min, size_max=size_max)
    return Row(
        time_slot=time_slot,
        without_booking=sum(p.status == Status.REGISTERED for p in people),
        booked=sum(p.status == Status.INTERVIEW_BOOKED for p in people),
        interviewed=sum(p.has_record for p in people),
        committed=sum(p.has_record and p.committed for p in people),
        accepted=accepted,
        baseline=sum(p.baseline for p in people),
        groups=groups,
        short_of_group=0 if groups else max(size_min - accepted, 0),
    )


def programme_readiness(*, programme: Programme) -> Readiness:
    """The counts per time slot and in all. Four queries, whatever the number of people or time slots."""
    records = InterviewRecord.objects.filter(participant=OuterRef("pk"))
    answered = RoundInvitation.objects.filter(
        participant=OuterRef("pk"),
        round__programme=programme,
        round__kind=RoundKind.BASELINE,
        answered_at__isnull=False,
    )
    committed = InterviewRecord.objects.filter(participant=OuterRef("pk"), committed=True)
    rows = (
        Participant.objects.filter(programme=programme, status__in=COUNTED)
        .annotate(has_record=Exists(records), is_committed=Exists(committed), has_baseline=Exists(answered))
        .values_list("pk", "status", "has_record", "is_committed", "has_baseline")
    )
    people = {
        pk: _Person(status=status, has_record=has_record, committed=is_committed, baseline=has_baseline)
        for pk, status, has_record, is_committed, has_baseline in rows
    }
    by_slot: dict[int, list[_Person]] = defaultdict(list)
    links = Participant.time_slots.through.objects.filter(participant__programme=programme).values_list(
        "participant_id", "timeslot_id"
    )
    for participant_id, slot_id in links:
        if participant_id in people:
            by_slot[slot_id].append(people[participant_id])
    time_slots = list(TimeSlot.objects.filter(programme=programme).order_by("position", "start_time", "id"))
    size_min, size_max = programme.group_size_min, programme.group_size_max
    return Readiness(
        programme=programme,
        rows=[_row(slot, by_slot[slot.pk], size_min, size_max) for slot in time_slots],
        total=_row(None, list(people.values()), size_min, size_max),
        size_min=size_min,
        size_max=size_max,
        baseline_round=_has_baseline_round(programme),
    )


def _has_baseline_round(programme: Programme) -> bool:
    return QuestionnaireRound.objects.filter(programme=programme, kind=RoundKind.BASELINE).exists()


def readiness_for_coordinator(*, user: AnyUser, pk: int) -> Readiness:
    """The readiness of programme ``pk`` for one of its coordinators; anyone else gets 404."""
    programme = core_selectors.programme_get_for_coordinator(user=user, pk=pk)
    return programme_readiness(programme=programme)
