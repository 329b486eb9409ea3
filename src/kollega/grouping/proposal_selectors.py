"""Reads for the coordinator's grouping pages, each checking who is asking (another organisation's: 404)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.utils.http import urlencode

from kollega.core.models import Participant, Programme, Status, TimeSlot
from kollega.core.selectors import AnyUser, programme_get_for_coordinator
from kollega.grouping.explain import Board, GroupCard, Member
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


def time_slot_labels(*, programme: Programme) -> dict[str, str]:
    """The programme's time slots by key, in their order, each with its label."""
    slots = programme.time_slots.all().order_by("position", "start_time", "id")
    return {slot.key: slot.label for slot in slots}


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


def board_member(*, board: Board, pk: int) -> tuple[Member, GroupCard | None] | None:
    """One person of the proposal with their group (None when left out); None when not in it."""
    for card in board.groups:
        for member in card.members:
            if member.pk == pk:
                return member, card
    return next(((m, None) for m in board.left_out if m.pk == pk), None)


# --- one page of a proposal's groups -------------------------------------------------------------

#: A proposal's page shows this many groups at a time…
GROUPS_PER_PAGE = 15
#: …and up to this many more on the last page, so that a proposal of up to 20 groups is shown whole, as one page.
GROUPS_ORPHANS = 5
#: The people left out are listed this many at a time (up to 40 on one page).
LEFT_OUT_PER_PAGE = 30
LEFT_OUT_ORPHANS = 10
#: A search by name lists at most this many of the people it finds.
MATCHES_SHOWN = 20


@dataclass(frozen=True)
class SlotChoice:
    key: str
    label: str
    groups: int


@dataclass(frozen=True)
class PageLink:
    """One entry of a list of pages: a number with its address, the current page (no address), or a gap."""

    label: str
    href: str = ""
    current: bool = False


@dataclass(frozen=True)
class Match:
    """A person found by name: where they are, and the address of the page that shows them."""

    member: Member
    group: str  # the group's name, "" when left out
    href: str


@dataclass
class BoardPage:
    """What one page of a proposal shows: its groups, its share of the people left out, and how to get elsewhere.

    ``paged`` is false for a small proposal, which is shown whole and without the tools to page, filter or search.
    """

    paged: bool
    groups: list[GroupCard]
    left_out: list[Member]
    groups_page: Page[GroupCard]
    left_out_page: Page[Member]
    group_pages: list[PageLink]
    left_out_pages: list[PageLink]
    group_total: int  # the groups the filter lets through, on all pages
    slot: str  # the time slot shown, "" for all
    slot_choices: list[SlotChoice]
    query: str
    matches: list[Match]
    more_matches: int  # found, but not listed
    target: Match | None  # the person the page was asked to show, with the address of their place
    found: set[int]  # the people to highlight
    warnings: list[tuple[str, str]]  # each broken rule's message, with the address where it can be fixed
    elsewhere: set[int]  # people who can also be moved to groups on other pages (from a page of their own)


def _query(**params: Any) -> str:
    """``?slot=…&page=…`` without the empty values and the first pages (the defaults)."""
    kept = {k: v for k, v in params.items() if v not in ("", None) and not (k in ("page", "out") and v == 1)}
    return f"?{urlencode(kept)}" if kept else "?"


def _number(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _page_of(index: int, *, count: int, per_page: int, orphans: int) -> int:
    """The page (from 1) that shows item ``index`` of ``count`` (as ``Paginator`` with ``orphans`` splits them)."""
    pages = max(1, -(-max(count - orphans, 0) // per_page)) if count else 1
    return min(index // per_page + 1, pages)


def _page_links(page: Page[Any], href: Callable[[int], str]) -> list[PageLink]:
    links = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1):
        if isinstance(number, int):
            links.append(PageLink(label=str(number), href=href(number), current=number == page.number))
        else:
            links.append(PageLink(label=str(number)))
    return links


def board_page(
    *,
    board: Board,
    slot_of: Mapping[str, str],
    slot: str = "",
    page: str | None = None,
    out: str | None = None,
    query: str = "",
    person: str | None = None,
) -> BoardPage:
    """The part of ``board`` one page shows, from the page's address (all of it read as typed, never trusted).

    ``slot_of`` maps each group's key to its time slot's key. A search by name (every word of ``query`` in the
    name, in any case) or a ``person`` leads to the page that shows that person, highlighted; when the time
    shown does not have their group, all times are shown. Every broken rule of the whole proposal links to the
    page (and group) where it can be fixed.
    """
    cards = board.groups
    paged = len(cards) > GROUPS_PER_PAGE + GROUPS_ORPHANS or len(board.left_out) > LEFT_OUT_PER_PAGE + LEFT_OUT_ORPHANS
    where: dict[int, GroupCard | None] = {}
    people: list[tuple[Member, GroupCard | None]] = []
    for card in cards:
        for member in card.members:
            where[member.pk] = card
            people.append((member, card))
    for member in board.left_out:
        where[member.pk] = None
        people.append((member, None))

    counts: dict[str, int] = {}
    for card in cards:
        key = slot_of.get(card.key, "")
        counts[key] = counts.get(key, 0) + 1
    slot_choices = [SlotChoice(key=k, label=label, groups=counts[k]) for k, label in board.slots.items() if k in counts]
    if slot not in counts:
        slot = ""

    query = " ".join(query.split())[:100]
    words = query.casefold().split()
    found_people = (
        sorted(
            (row for row in people if all(w in row[0].name.casefold() for w in words)),
            key=lambda row: (row[0].name.casefold(), row[0].pk),
        )
        if words
        else []
    )
    wanted = _number(person)
    if wanted not in where:
        wanted = found_people[0][0].pk if found_people else None
    target_card = where.get(wanted) if wanted is not None else None
    if target_card is not None and slot and slot_of.get(target_card.key) != slot:
        slot = ""  # the time shown does not have their group: show them among all times

    shown_cards = [c for c in cards if not slot or slot_of.get(c.key) == slot]
    all_index = {c.key: n for n, c in enumerate(cards)}
    shown_index = {c.key: n for n, c in enumerate(shown_cards)}
    left_index = {m.pk: n for n, m in enumerate(board.left_out)}

    def group_page_of(card: GroupCard, *, among_shown: bool) -> int:
        index, count = (shown_index[card.key], len(shown_cards)) if among_shown else (all_index[card.key], len(cards))
        return _page_of(index, count=count, per_page=GROUPS_PER_PAGE, orphans=GROUPS_ORPHANS)

    per_page, orphans = (GROUPS_PER_PAGE, GROUPS_ORPHANS) if paged else (max(len(cards), 1), 0)
    groups_paginator = Paginator(shown_cards, per_page, orphans=orphans)
    if target_card is not None and paged:
        groups_page = groups_paginator.get_page(group_page_of(target_card, among_shown=True))
    else:
        groups_page = groups_paginator.get_page(page if paged else 1)
    left_per, left_orphans = (LEFT_OUT_PER_PAGE, LEFT_OUT_ORPHANS) if paged else (max(len(board.left_out), 1), 0)
    left_paginator = Paginator(board.left_out, left_per, orphans=left_orphans)
    if wanted is not None and wanted in left_index and paged:
        number = _page_of(left_index[wanted], count=len(board.left_out), per_page=left_per, orphans=left_orphans)
        left_out_page = left_paginator.get_page(number)
    else:
        left_out_page = left_paginator.get_page(out if paged else 1)
    current_page, current_out = groups_page.number, left_out_page.number

    def href_for(pk: int) -> str:
        card = where[pk]
        keep = slot if card is None or slot_of.get(card.key) == slot else ""
        return _query(slot=keep, q=query, person=pk) + f"#person-{pk}"

    matches = [
        Match(member=m, group=card.name if card is not None else "", href=href_for(m.pk))
        for m, card in found_people[:MATCHES_SHOWN]
    ]
    target = None
    if wanted is not None:
        member = next(m for m, _card in people if m.pk == wanted)
        target = Match(member=member, group=target_card.name if target_card else "", href=href_for(wanted))

    shown_keys = {c.key for c in groups_page.object_list}
    by_key = {c.key: c for c in cards}
    warnings = []
    for warning in board.warnings:
        concerned = by_key.get(warning.group) if warning.group else None
        if concerned is None:
            # A rule about people left out ("not in any group") is fixed in the list of them, on every page.
            about_left_out = any(k in left_index for k in warning.people)
            warnings.append((warning.message, "#left-out-h" if about_left_out else ""))
        elif concerned.key in shown_keys:
            warnings.append((warning.message, f"#{concerned.anchor}"))
        elif concerned.key in shown_index:
            number = group_page_of(concerned, among_shown=True)
            warnings.append((warning.message, _query(slot=slot, page=number, out=current_out) + f"#{concerned.anchor}"))
        else:
            number = group_page_of(concerned, among_shown=False)
            warnings.append((warning.message, _query(page=number, out=current_out) + f"#{concerned.anchor}"))

    # "Move to…" lists the groups of this page: with every group of a time, the page would grow with people ×
    # groups. The others are a link away, on a page of the person's own.
    elsewhere: set[int] = set()

    def here_only(member: Member) -> Member:
        if not paged:
            return member
        choices = [c for c in member.choices if c.key in shown_keys]
        if len(choices) < len(member.choices):
            elsewhere.add(member.pk)
        return replace(member, choices=choices)

    return BoardPage(
        paged=paged,
        groups=[replace(c, members=[here_only(m) for m in c.members]) for c in groups_page.object_list],
        left_out=[here_only(m) for m in left_out_page.object_list],
        groups_page=groups_page,
        left_out_page=left_out_page,
        group_pages=_page_links(groups_page, lambda n: _query(slot=slot, page=n, out=current_out) + "#groups-h"),
        left_out_pages=_page_links(
            left_out_page, lambda n: _query(slot=slot, page=current_page, out=n) + "#left-out-h"
        ),
        group_total=len(shown_cards),
        slot=slot,
        slot_choices=slot_choices,
        query=query,
        matches=matches,
        more_matches=max(0, len(found_people) - MATCHES_SHOWN),
        target=target,
        found={m.pk for m, _card in found_people} | ({wanted} if wanted is not None else set()),
        warnings=warnings,
        elsewhere=elsewhere,
    )
