"""Reads for the coordinator's grouping pages, each checking who is asking (another organisation's: 404)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404

from kollega.core.models import Participant, Programme, Status, TimeSlot
from kollega.core.selectors import AnyUser, programme_get_for_coordinator
from kollega.grouping.models import Group, PairRule, Proposal
from kollega.grouping.proposals import agreed_slots, candidates

#: Who a pair rule may name: people waiting for a group and people already in one (late joiners meet them).
PAIRABLE = (Status.ACCEPTED, Status.IN_GROUP)


@dataclass(frozen=True)
class SlotCount:
    time_slot: TimeSlot
    people: int


@dataclass(frozen=True)
class Waiting:
    """The accepted applicants without a group: how many can come at each time, and who has no agreed time."""

    total: int
    per_slot: list[SlotCount]
    without_slot: list[Participant]


def waiting_for_group(*, programme: Programme) -> Waiting:
    """A fixed number of queries, however many people wait."""
    people = candidates(programme=programme)
    time_slots = list(programme.time_slots.all().order_by("position", "start_time", "id"))
    counts = dict.fromkeys((s.key for s in time_slots), 0)
    without = []
    for person in people:
        agreed = agreed_slots(person)
        if not agreed:
            without.append(person)
        for key in agreed:
            if key in counts:
                counts[key] += 1
    return Waiting(
        total=len(people),
        per_slot=[SlotCount(time_slot=s, people=counts[s.key]) for s in time_slots],
        without_slot=sorted(without, key=lambda p: p.display_name.casefold()),
    )


def group_list_for_programme(*, programme: Programme) -> QuerySet[Group]:
    return (
        Group.objects.filter(programme=programme)
        .select_related("time_slot", "lead_facilitator", "co_facilitator")
        .annotate(member_count=Count("memberships"))
        .order_by("start_date", "name")
    )


def proposal_list_for_programme(*, programme: Programme) -> QuerySet[Proposal]:
    return Proposal.objects.filter(programme=programme).select_related("created_by").order_by("-number")


def pair_rule_list(*, programme: Programme) -> QuerySet[PairRule]:
    return PairRule.objects.filter(programme=programme).select_related("first__user", "second__user")


def pairable_people(*, programme: Programme) -> QuerySet[Participant]:
    """The people a pair rule can name, by name."""
    return (
        Participant.objects.filter(programme=programme, status__in=PAIRABLE)
        .select_related("user")
        .order_by(Coalesce(NullIf("full_name", Value("")), "user__full_name"), "pk")
    )


def pair_rule_get_for_coordinator(*, user: AnyUser, programme_pk: int, pk: int) -> PairRule:
    programme = programme_get_for_coordinator(user=user, pk=programme_pk)
    rule = PairRule.objects.filter(programme=programme, pk=pk).select_related("programme__organisation").first()
    if rule is None:
        raise Http404
    return rule


def proposal_get_for_coordinator(*, user: AnyUser, programme_pk: int, number: int) -> Proposal:
    """Proposal ``number`` of programme ``programme_pk`` for one of its coordinators; anyone else gets 404."""
    programme = programme_get_for_coordinator(user=user, pk=programme_pk)
    proposal = Proposal.objects.filter(programme=programme, number=number).select_related("created_by").first()
    if proposal is None:
        raise Http404
    proposal.programme = programme
    return proposal


def participant_name(*, programme: Programme, pk: int) -> str:
    """The name of one of the programme's people, for a message about them."""
    person = Participant.objects.filter(programme=programme, pk=pk).select_related("user").first()
    return person.display_name if person is not None else ""
