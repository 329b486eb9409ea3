"""Reads for groups, each checking who is asking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from kollega.core.selectors import AnyUser, user_is_staff
from kollega.grouping.models import Group, GroupMembership
from kollega.meetings.models import Meeting

if TYPE_CHECKING:
    from kollega.evaluation.models import QuestionnaireRound
    from kollega.evaluation.selectors import GroupFigures


def group_list_for_facilitator(*, user: AnyUser) -> QuerySet[Group]:
    """Groups the person leads or co-facilitates, with members and meetings."""
    if not user.is_authenticated or not user_is_staff(user=user):
        return Group.objects.none()
    return (
        Group.objects.filter(Q(lead_facilitator=user) | Q(co_facilitator=user))
        .select_related("programme__organisation", "time_slot", "lead_facilitator", "co_facilitator")
        .annotate(member_count=Count("memberships", distinct=True))
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=GroupMembership.objects.select_related("participant__user").order_by(
                    Coalesce(NullIf("participant__full_name", Value("")), "participant__user__full_name")
                ),
            ),
            Prefetch("meetings", queryset=Meeting.objects.select_related("theme").order_by("number")),
        )
        .order_by("start_date", "name")
    )


@dataclass(frozen=True)
class Peer:
    """What one member shows of themself to their group: only what they agreed to share."""

    name: str
    company: str
    email: str

    @property
    def anonymous(self) -> bool:
        return not (self.name or self.company or self.email)


def group_peer_list(*, group: Group) -> list[Peer]:
    """The group's members as the group may see them, following each one's latest consents."""
    from kollega.core.models import Consent, ConsentItem, Participant, Status

    members = list(
        Participant.objects.filter(membership__group=group)
        .exclude(status__in=[Status.CANCELLED, Status.WITHDRAWN])
        .select_related("user")
        .prefetch_related(Prefetch("consents", queryset=Consent.objects.order_by("at", "id")))
        .order_by(Coalesce(NullIf("full_name", Value("")), "user__full_name"), "pk")
    )
    peers = []
    for member in members:
        latest: dict[str, bool] = {}
        for consent in member.consents.all():
            latest[consent.item] = consent.given
        peers.append(
            Peer(
                name=(member.full_name or member.user.full_name) if latest.get(ConsentItem.SHARE_NAME) else "",
                company=member.company_name if latest.get(ConsentItem.SHARE_COMPANY) else "",
                email=member.user.email if latest.get(ConsentItem.SHARE_EMAIL) else "",
            )
        )
    return peers


@dataclass(frozen=True)
class RoundFigures:
    """One questionnaire round of the group's programme and the group's figures in it (never anyone's answers)."""

    round: QuestionnaireRound
    figures: GroupFigures


def group_wellbeing_for_facilitator(*, user: AnyUser, groups: Sequence[Group]) -> dict[int, list[RoundFigures]]:
    """Per group id: the group's well-being figures per round of its programme, newest round first.

    What may be shown follows ``group_figures_for_facilitator``: means only for
    a closed round that at least five members answered, and then the copy
    stored the first time they were shown; otherwise only the count. A fixed
    number of queries however many groups and rounds. Anyone but the groups'
    facilitators (and coordinators) gets 404.
    """
    from kollega.evaluation.selectors import group_figures_by_round_for_facilitator

    by_group = group_figures_by_round_for_facilitator(user=user, groups=groups)
    return {
        group_id: [RoundFigures(round=round, figures=figures) for round, figures in rows]
        for group_id, rows in by_group.items()
    }
