"""What the theme plan page reads, who may open it, and saving the plan as the page sends it.

The plan itself is built and set by ``grouping.themes``; this module puts a
group's plan side by side with its members' support and checks a whole
submitted plan before handing the changed meetings to ``theme_plan_set``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.models import PositionRule, Theme
from kollega.core.selectors import AnyUser, organisation_ids_for_coordinator, user_is_staff
from kollega.grouping.facilitators import meeting_times, planned_date
from kollega.grouping.models import Group, ThemePlanItem
from kollega.grouping.themes import Support, group_theme_support, theme_plan_set
from kollega.meetings.models import Meeting


def group_get_for_theme_plan(*, user: AnyUser, programme_pk: int, group_pk: int) -> tuple[Group, bool]:
    """The group and whether ``user`` may change its plan.

    The programme's coordinators may change it; the group's facilitators may
    read it while they are still staff of an organisation (as on their own
    groups page). Anyone else gets a 404.
    """
    if not user.is_authenticated:
        raise Http404
    coordinated = organisation_ids_for_coordinator(user=user)
    who = Q(programme__organisation_id__in=coordinated)
    if user_is_staff(user=user):
        who |= Q(lead_facilitator=user) | Q(co_facilitator=user)
    group = (
        Group.objects.select_related("programme__organisation", "time_slot", "lead_facilitator", "co_facilitator")
        .prefetch_related(Prefetch("meetings", queryset=Meeting.objects.order_by("number")))
        .filter(pk=group_pk, programme_id=programme_pk)
        .filter(who)
        .first()
    )
    if group is None:
        raise Http404
    return group, group.programme.organisation_id in coordinated


@dataclass(frozen=True)
class PlanRow:
    number: int
    day: date
    item: ThemePlanItem | None
    support: Support | None


@dataclass(frozen=True)
class SupportRow:
    support: Support
    meeting: int | None  # where the plan has the theme, if it does


@dataclass(frozen=True)
class PlanPage:
    first_theme: Theme | None
    first_day: date
    rows: list[PlanRow]
    support: list[SupportRow]
    themes: list[Theme]  # the rankable themes, in the catalogue's order
    member_count: int

    @property
    def plan(self) -> dict[int, ThemePlanItem]:
        return {row.number: row.item for row in self.rows if row.item is not None}


def theme_plan_page(*, group: Group) -> PlanPage:
    """Meeting 1's fixed theme, the plan for meetings 2…n with each theme's support, and every theme's support."""
    programme = group.programme
    themes = list(programme.themes.all())
    first = next((t for t in themes if t.position_rule == PositionRule.FIRST), None)
    support = group_theme_support(group=group)
    by_theme = {s.theme.pk: s for s in support}
    items = {i.number: i for i in ThemePlanItem.objects.filter(group=group).select_related("theme")}
    tz = programme.organisation.tz
    days = {o.number: timezone.localtime(o.starts_at, tz).date() for o in meeting_times(group)}
    rows = [
        PlanRow(
            number=n,
            day=days.get(n) or planned_date(group, n),
            item=items.get(n),
            support=by_theme.get(items[n].theme_id) if n in items else None,
        )
        for n in range(2, programme.meeting_count + 1)
    ]
    where = {item.theme_id: n for n, item in items.items()}
    return PlanPage(
        first_theme=first,
        first_day=days.get(1) or group.start_date,
        rows=rows,
        support=[SupportRow(support=s, meeting=where.get(s.theme.pk)) for s in support],
        themes=[t for t in themes if t.is_rankable],
        member_count=group.memberships.count(),
    )


@transaction.atomic
def theme_plan_save(*, group: Group, plan: dict[int, int], actor: User | None) -> list[ThemePlanItem]:
    """Save the plan as the page sends it (meeting → theme id): the meetings whose theme changed become hand-set.

    The whole plan is checked first, so that a theme chosen for one meeting
    while another meeting keeps it is refused instead of emptying that meeting.
    """
    current = {i.number: i.theme_id for i in ThemePlanItem.objects.filter(group=group)}
    whole = {**current, **plan}
    labels = {t.pk: t.label for t in group.programme.themes.all()}
    seen: dict[int, list[int]] = {}
    for number, theme_id in sorted(whole.items()):
        seen.setdefault(theme_id, []).append(number)
    twice = [
        _("%(theme)s is chosen for more than one meeting (%(meetings)s). A theme can be chosen for one meeting only.")
        % {"theme": labels.get(theme_id, theme_id), "meetings": ", ".join(str(n) for n in numbers)}
        for theme_id, numbers in seen.items()
        if len(numbers) > 1
    ]
    if twice:
        raise ValidationError(twice)
    changed = {n: t for n, t in plan.items() if current.get(n) != t}
    if not changed:
        return list(ThemePlanItem.objects.filter(group=group).select_related("theme").order_by("number"))
    return theme_plan_set(group=group, choices=changed, actor=actor)
