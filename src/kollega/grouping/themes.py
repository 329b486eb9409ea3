"""Theme plans: which theme each of a group's meetings has, from what its members asked for.

Meeting 1 has the programme's fixed first theme (getting to know each other).
The other meetings get the rankable themes with the most support in the
group: a member's first wish counts 3, the second 2, the third 1 (the same
points the optimiser uses); ties go to the theme more members ranked at all,
then to the catalogue's order. The chosen themes are held in the catalogue's
order, except that a theme whose rule is "last when chosen" goes last. A
coordinator may set any meeting's theme by hand; such a choice stays when the
plan is built again.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.models import PositionRule, Theme
from kollega.core.services import audit_log
from kollega.grouping.models import Group, ThemePlanItem
from kollega.grouping.optimiser.problem import THEME_POINTS


@dataclass(frozen=True)
class Support:
    theme: Theme
    points: int  # first wish 3, second 2, third 1
    wanted_by: int  # members who ranked it at all
    top_three: int  # members who have it among their first three


def group_theme_support(*, group: Group) -> list[Support]:
    """Every rankable theme of the programme with its support among the group's members, most supported first."""
    themes = [t for t in group.programme.themes.all() if t.is_rankable]
    rankings = [list(m.participant.theme_ranking or []) for m in group.memberships.select_related("participant").all()]
    rows = []
    for theme in themes:
        points = wanted = top = 0
        for ranking in rankings:
            if theme.key in ranking:
                place = ranking.index(theme.key)
                wanted += 1
                if place < len(THEME_POINTS):
                    points += THEME_POINTS[place]
                    top += 1
        rows.append(Support(theme=theme, points=points, wanted_by=wanted, top_three=top))
    order = {t.pk: i for i, t in enumerate(themes)}
    return sorted(rows, key=lambda s: (-s.points, -s.wanted_by, order[s.theme.pk]))


def _ordered(themes: list[Theme]) -> list[Theme]:
    """Catalogue order, with "last when chosen" themes at the end."""
    return sorted(themes, key=lambda t: (t.position_rule == PositionRule.LAST, t.order, t.pk))


@transaction.atomic
def theme_plan_build(*, group: Group, keep_overrides: bool = True, actor: User | None = None) -> list[ThemePlanItem]:
    """(Re)build the group's plan for meetings 2…n from its members' wishes; hand-set meetings stay."""
    programme = group.programme
    numbers = list(range(2, programme.meeting_count + 1))
    kept = {
        item.number: item
        for item in ThemePlanItem.objects.filter(group=group, overridden=True).select_related("theme")
        if keep_overrides and item.number in numbers
    }
    ThemePlanItem.objects.filter(group=group).exclude(pk__in=[i.pk for i in kept.values()]).delete()
    support = {s.theme.pk: s for s in group_theme_support(group=group)}
    taken = {item.theme_id for item in kept.values()}
    free_numbers = [n for n in numbers if n not in kept]
    ranked = [s.theme for s in support.values() if s.theme.pk not in taken]
    if not free_numbers or free_numbers[-1] != programme.meeting_count:
        # The last meeting is set by hand: a "last when chosen" theme has no place left.
        ranked = [t for t in ranked if t.position_rule != PositionRule.LAST]
    chosen = _ordered(ranked[: len(free_numbers)])
    items = list(kept.values())
    for number, theme in zip(free_numbers, chosen, strict=False):
        items.append(
            ThemePlanItem.objects.create(
                group=group, number=number, theme=theme, support=support[theme.pk].points, overridden=False
            )
        )
    audit_log(action="grouping.themes.planned", subject=group, actor=actor, organisation=programme.organisation)
    return sorted(items, key=lambda i: i.number)


@transaction.atomic
def theme_plan_set(*, group: Group, choices: dict[int, int], actor: User | None) -> list[ThemePlanItem]:
    """Set meetings' themes by hand (meeting number → theme id); they stay when the plan is rebuilt.

    Each theme at most once, only the programme's rankable themes, and a
    "last when chosen" theme only at the last meeting.
    """
    programme = group.programme
    last = programme.meeting_count
    themes = {t.pk: t for t in programme.themes.all() if t.is_rankable}
    errors: list[str] = []
    for number, theme_id in choices.items():
        if not 2 <= number <= last:
            errors.append(_("Meeting %(n)s is not one whose theme can be chosen.") % {"n": number})
        elif theme_id not in themes:
            errors.append(_("Meeting %(n)s: choose one of the programme's themes.") % {"n": number})
        elif themes[theme_id].position_rule == PositionRule.LAST and number != last:
            errors.append(
                _("%(theme)s is always the last meeting's theme when chosen.") % {"theme": themes[theme_id].label}
            )
    if len(set(choices.values())) != len(choices):
        errors.append(_("Each theme can be chosen for one meeting only."))
    if errors:
        raise ValidationError(errors)
    current = {i.number: i for i in ThemePlanItem.objects.select_for_update().filter(group=group)}
    support = {s.theme.pk: s.points for s in group_theme_support(group=group)}
    # Free the themes about to be used elsewhere first, so the one-theme-per-group rule holds at every step.
    ThemePlanItem.objects.filter(group=group, theme_id__in=choices.values()).exclude(
        number__in=[n for n, t in choices.items() if current.get(n) and current[n].theme_id == t]
    ).delete()
    for number, theme_id in choices.items():
        ThemePlanItem.objects.update_or_create(
            group=group,
            number=number,
            defaults={"theme_id": theme_id, "support": support.get(theme_id, 0), "overridden": True},
        )
    audit_log(
        action="grouping.themes.set",
        subject=group,
        actor=actor,
        organisation=programme.organisation,
        data={str(k): v for k, v in choices.items()},
    )
    return list(ThemePlanItem.objects.filter(group=group).select_related("theme").order_by("number"))
