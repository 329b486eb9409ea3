"""The needs summary: what the registrants want, for choosing and ordering themes and times.

Theme demand is counted with Borda points: in a ranking of the programme's n
rankable themes, the first place earns n points, the second n - 1, and so on;
a theme left out of a partial ranking earns nothing. First-choice counts are
shown beside the points, so a theme that few love and many tolerate is visible.

A ranking is read against the themes the programme has now: keys of themes
that were removed, no longer rankable, or repeated are dropped first, so the
places that remain close up (a ranking "removed, goals" counts "goals" first).

Counted registrations are everyone except those who cancelled, were declined
or withdrew (``COUNTED_OUT``). The summary is computed on each call, in a fixed
number of queries (five) whatever the number of registrations.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kollega.core.industries import industries, industry_name
from kollega.core.models import Participant, Programme, Status, Theme, TimeSlot
from kollega.outreach.models import Channel

#: Registrations left out of every count: they no longer want a place.
COUNTED_OUT = frozenset({Status.CANCELLED, Status.DECLINED, Status.WITHDRAWN})

#: How many regions are shown by name; the rest are summed as "others".
TOP_REGIONS = 10

#: Places of a ranking that count as "top three".
TOP = 3

NOT_TOLD = ""
OTHERS = "_others"
SOMEWHERE_ELSE = "other"  # the last option of "where did you hear of us"
NO_CHANNEL = ""


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int


@dataclass(frozen=True)
class ThemeDemand:
    key: str
    label: str
    borda: int
    first_choices: int
    top_three: int
    rankings: int  # how many registrants ranked this theme at all
    pk: int | None = None  # for the link to the theme's page


@dataclass
class NeedsSummary:
    respondents: int  # registrations counted (everyone who has not cancelled)
    rankings: int  # registrations with a theme ranking
    themes: list[ThemeDemand] = field(default_factory=list)  # most wanted first
    time_slots: list[Count] = field(default_factory=list)
    industries: list[Count] = field(default_factory=list)
    years_in_business: list[Count] = field(default_factory=list)
    regions: list[Count] = field(default_factory=list)
    channels: list[Count] = field(default_factory=list)
    # People for whom a time slot is the only one that suits (same order as ``time_slots``).
    time_slots_only: list[Count] = field(default_factory=list)
    # The number of themes a full ranking has: the points of a first place.
    rankable_themes: int = 0

    @property
    def is_empty(self) -> bool:
        return self.respondents == 0


def counted_participants(*, programme: Programme) -> QuerySet[Participant]:
    """The registrations the dashboard counts."""
    return Participant.objects.filter(programme=programme).exclude(status__in=COUNTED_OUT)


def borda_points(*, ranking: list[str], rankable: list[str]) -> dict[str, int]:
    """Points of one ranking: n for the first place, n - 1 for the second, … (n = number of rankable themes).

    Unknown and repeated keys are dropped before places are counted.
    """
    known = set(rankable)
    n = len(rankable)
    points: dict[str, int] = {}
    for key in ranking:
        if key in known and key not in points:
            points[key] = n - len(points)
    return points


def needs_summary(*, programme: Programme) -> NeedsSummary:
    """The summary for one programme. Callers have checked access to ``programme``."""
    counted = counted_participants(programme=programme)
    rows = list(
        counted.values_list(
            "pk",
            "industry",
            "years_in_business",
            "region",
            "theme_ranking",
            "registration__channel_id",
            "registration__heard_from",
        )
    )
    themes = [t for t in Theme.objects.filter(programme=programme).order_by("order", "id") if t.is_rankable]
    slots = list(TimeSlot.objects.filter(programme=programme).order_by("position", "start_time"))
    slot_rows = list(
        Participant.time_slots.through.objects.filter(participant__in=counted.values("pk"))
        .filter(timeslot__programme=programme)
        .values_list("participant_id", "timeslot_id")
    )
    channels = list(Channel.objects.filter(programme=programme).order_by("position", "id"))

    summary = NeedsSummary(respondents=len(rows), rankings=0, rankable_themes=len(themes))
    summary.themes, summary.rankings = _theme_demand(themes, [row[4] for row in rows])
    summary.time_slots, summary.time_slots_only = _time_slots(slots, slot_rows, len(rows))
    summary.industries = _industries([row[1] for row in rows])
    summary.years_in_business = _years([row[2] for row in rows])
    summary.regions = _regions([row[3] for row in rows])
    summary.channels = _channels(channels, [(row[5], row[6]) for row in rows])
    return summary


def _theme_demand(themes: list[Theme], rankings: list[object]) -> tuple[list[ThemeDemand], int]:
    rankable = [t.key for t in themes]
    borda: Counter[str] = Counter()
    first: Counter[str] = Counter()
    top: Counter[str] = Counter()
    ranked: Counter[str] = Counter()
    with_ranking = 0
    for raw in rankings:
        ranking = [str(k) for k in raw] if isinstance(raw, list) else []
        points = borda_points(ranking=ranking, rankable=rankable)
        if not points:
            continue
        with_ranking += 1
        for place, key in enumerate(points):  # dicts keep the ranking's order
            borda[key] += points[key]
            ranked[key] += 1
            if place == 0:
                first[key] += 1
            if place < TOP:
                top[key] += 1
    demand = [
        ThemeDemand(
            key=t.key,
            label=t.label,
            borda=borda[t.key],
            first_choices=first[t.key],
            top_three=top[t.key],
            rankings=ranked[t.key],
            pk=t.pk,
        )
        for t in themes
    ]
    # Most points first; ties go to more first choices, then to the catalogue's order (sort is stable).
    demand.sort(key=lambda d: (-d.borda, -d.first_choices))
    return demand, with_ranking


def _time_slots(
    slots: list[TimeSlot], rows: list[tuple[int, int]], respondents: int
) -> tuple[list[Count], list[Count]]:
    by_person: dict[int, set[int]] = defaultdict(set)
    for participant_id, slot_id in rows:
        by_person[participant_id].add(slot_id)
    suits: Counter[int] = Counter()
    only: Counter[int] = Counter()
    for chosen in by_person.values():
        suits.update(chosen)
        if len(chosen) == 1:
            only.update(chosen)
    counts = [Count(key=s.key, label=s.label, count=suits[s.pk]) for s in slots]
    only_counts = [Count(key=s.key, label=s.label, count=only[s.pk]) for s in slots]
    untold = respondents - len(by_person)
    if untold:
        counts.append(Count(key=NOT_TOLD, label=_("Not told"), count=untold))
        only_counts.append(Count(key=NOT_TOLD, label=_("Not told"), count=0))
    return counts, only_counts


def _industries(codes: list[str]) -> list[Count]:
    counts = Counter(code or NOT_TOLD for code in codes)
    known = list(industries())
    result = [
        Count(key=code, label=f"{code} {industry_name(code)}", count=counts[code]) for code in known if counts[code]
    ]
    # Codes outside the classification (should not happen) are still counted, by their code.
    result += [Count(key=code, label=code, count=n) for code, n in counts.items() if code and code not in known]
    result.sort(key=lambda c: -c.count)
    if counts[NOT_TOLD]:
        result.append(Count(key=NOT_TOLD, label=_("Not told"), count=counts[NOT_TOLD]))
    return result


YEAR_BANDS = ("under-2", "2-5", "6-10", "over-10")


def year_band(years: int | None) -> str:
    if years is None:
        return NOT_TOLD
    if years < 2:
        return "under-2"
    if years <= 5:
        return "2-5"
    if years <= 10:
        return "6-10"
    return "over-10"


def _years(values: list[int | None]) -> list[Count]:
    counts = Counter(year_band(v) for v in values)
    labels = {
        "under-2": _("Under 2 years"),
        "2-5": _("2–5 years"),
        "6-10": _("6–10 years"),
        "over-10": _("Over 10 years"),
        NOT_TOLD: _("Not told"),
    }
    return [Count(key=band, label=labels[band], count=counts[band]) for band in (*YEAR_BANDS, NOT_TOLD)]


def region_key(region: str) -> str:
    """Regions typed in different ways ("helsinki", " Helsinki ") count as one."""
    return " ".join(region.split()).casefold()


def _regions(values: list[str]) -> list[Count]:
    counts: Counter[str] = Counter()
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for value in values:
        key = region_key(value or "")
        counts[key] += 1
        if key:
            spellings[key][" ".join(value.split())] += 1
    untold = counts.pop(NOT_TOLD, 0)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    result = [Count(key=key, label=spellings[key].most_common(1)[0][0], count=n) for key, n in ranked[:TOP_REGIONS]]
    rest = sum(n for _key, n in ranked[TOP_REGIONS:])
    if rest:
        result.append(Count(key=OTHERS, label=_("Others"), count=rest))
    if untold:
        result.append(Count(key=NOT_TOLD, label=_("Not told"), count=untold))
    return result


def _channels(channels: list[Channel], rows: list[tuple[int | None, str | None]]) -> list[Count]:
    by_channel: Counter[int] = Counter()
    elsewhere = 0
    none = 0
    for channel_id, heard_from in rows:
        if channel_id is not None:
            by_channel[channel_id] += 1
        elif heard_from:
            elsewhere += 1
        else:
            none += 1
    result = [Count(key=c.key, label=c.label, count=by_channel[c.pk]) for c in channels if c.active or by_channel[c.pk]]
    result.sort(key=lambda c: -c.count)
    result.append(Count(key=SOMEWHERE_ELSE, label=_("Somewhere else"), count=elsewhere))
    result.append(Count(key=NO_CHANNEL, label=_("No channel"), count=none))
    return result
