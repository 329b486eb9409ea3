"""A proposal in words: its result, its goals, why it could not place everyone, and why each person is where they are.

Read-only. The pages use these to show the optimiser's answer (and the
coordinator's moves) as a coordinator thinks of it: groups side by side,
each with its mix, and a short reason next to every person. The figures come
from ``optimiser.scoring``, so what is shown is what the optimiser measured.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kollega.core.industries import industry_name
from kollega.core.models import Participant
from kollega.grouping.models import Proposal, ProposalState
from kollega.grouping.optimiser import scoring
from kollega.grouping.optimiser.problem import GOALS, GroupSpec, IndustryMode, Person, Rule, Status, Weights
from kollega.grouping.proposals import Input, Warning, problem_input

#: Each goal's plain name, the same on the form that weighs it and the table that scores it.
GOAL_LABELS: dict[str, Promise] = {
    "industry": gettext_lazy("Mix of industries"),
    "experience": gettext_lazy("Mix of new and long-time entrepreneurs"),
    "themes": gettext_lazy("Shared theme wishes"),
    "balance": gettext_lazy("Even group sizes"),
    "together": gettext_lazy("Wished pairs together"),
    "stability": gettext_lazy("Few changes from the previous proposal"),
}
SAME_INDUSTRY_LABEL = gettext_lazy("Same industry together")

GOAL_HELP: dict[str, Promise] = {
    "industry": gettext_lazy("Each group gets people from as many different industries as possible."),
    "experience": gettext_lazy(
        "Each group gets its fair share of new (0–2 years in business), established (3–9) "
        "and long-time (10 or more) entrepreneurs."
    ),
    "themes": gettext_lazy(
        "People who wish for the same themes meet in the same group, so that its meetings cover their wishes."
    ),
    "balance": gettext_lazy("Groups that meet at the same time are about the same size."),
    "together": gettext_lazy("Pairs you marked as “should share a group” are placed in the same group."),
    "stability": gettext_lazy(
        "When the optimiser runs again, people stay in their groups unless moving them helps a lot."
    ),
}
SAME_INDUSTRY_HELP = gettext_lazy("People of the same industry are placed in the same group.")

#: What each goal's score counts (every score is a penalty: 0 is perfect, lower is better).
GOAL_UNITS: dict[str, Promise] = {
    "industry": gettext_lazy("members who share their industry with another member of their group"),
    "experience": gettext_lazy("members beyond their experience group's fair share of a group"),
    "themes": gettext_lazy("wish points the groups' meeting plans leave out (a first wish is 3 points)"),
    "balance": gettext_lazy("the difference in size between the largest and the smallest group of a time"),
    "together": gettext_lazy("wished pairs who are not in the same group"),
    "stability": gettext_lazy("people placed elsewhere than in the previous proposal"),
}
SAME_INDUSTRY_UNIT = gettext_lazy("industries in a group beyond its first")

BAND_LABELS: dict[str, Promise] = {
    "new": gettext_lazy("new"),
    "established": gettext_lazy("established"),
    "long-time": gettext_lazy("long-time"),
}

#: How many of a person's first wishes the "why here" counts.
TOP_WISHES = 3


def goal_label(goal: str, industry_mode: str) -> str:
    if goal == "industry" and industry_mode == IndustryMode.SAME:
        return str(SAME_INDUSTRY_LABEL)
    return str(GOAL_LABELS[goal])


def goal_help(goal: str, industry_mode: str) -> str:
    if goal == "industry" and industry_mode == IndustryMode.SAME:
        return str(SAME_INDUSTRY_HELP)
    return str(GOAL_HELP[goal])


def goal_unit(goal: str, industry_mode: str) -> str:
    if goal == "industry" and industry_mode == IndustryMode.SAME:
        return str(SAME_INDUSTRY_UNIT)
    return str(GOAL_UNITS[goal])


def default_weight(goal: str) -> int:
    return Weights().of(goal)


# --- the result ------------------------------------------------------------------------------


def gap_percent(gap: float | None) -> str:
    """The gap as a percentage rounded up to a tenth, so that "at most" stays true ("2.4")."""
    if gap is None:
        return ""
    value = math.ceil(round(max(gap, 0.0) * 1000, 6)) / 10
    return number_format(value, decimal_pos=1 if value % 1 else 0)


def status_text(proposal: Proposal) -> str:
    """The result in words, for the summary box."""
    status = proposal.status
    if status == Status.OPTIMAL:
        return _("Proven best: no placement within the rules scores better on the goals as weighted.")
    if status == Status.FEASIBLE:
        return _("Good, at most %(gap)s %% from the best possible.") % {"gap": gap_percent(proposal.gap)}
    if status == Status.PARTIAL:
        count = len(proposal.left_out)
        return ngettext(
            "Nearest possible: %(count)s person left out, because the rules below cannot all hold.",
            "Nearest possible: %(count)s people left out, because the rules below cannot all hold.",
            count,
        ) % {"count": count}
    if status == Status.INFEASIBLE:
        return _("No groups are possible within the rules below.")
    if status == Status.INVALID:
        return _("The optimiser could not start: correct what is listed below and try again.")
    return ""


def status_short(proposal: Proposal) -> str:
    """The result in a few words, for the list of proposals."""
    if proposal.state in (ProposalState.QUEUED, ProposalState.RUNNING, ProposalState.FAILED):
        return ""
    status = proposal.status
    if status == Status.OPTIMAL:
        return _("Proven best")
    if status == Status.FEASIBLE:
        return _("Good, at most %(gap)s %% from the best") % {"gap": gap_percent(proposal.gap)}
    if status == Status.PARTIAL:
        count = len(proposal.left_out)
        return ngettext(
            "Nearest possible: %(count)s person left out",
            "Nearest possible: %(count)s people left out",
            count,
        ) % {"count": count}
    if status == Status.INFEASIBLE:
        return _("Not possible")
    if status == Status.INVALID:
        return _("Could not start")
    return ""


def split_text(proposal: Proposal) -> str:
    """Whether the problem was solved whole, in independent parts, or split at some cost."""
    if proposal.parts <= 1:
        return _("Solved as one whole.")
    if proposal.exact:
        return ngettext(
            "Solved in %(parts)s part that shares nobody with another; the split loses nothing.",
            "Solved in %(parts)s parts that share nobody with each other; the split loses nothing.",
            proposal.parts,
        ) % {"parts": proposal.parts}
    return ngettext(
        "Split into %(parts)s part to keep it manageable. A better placement may move people between parts, "
        "so the gap is measured against a bound that holds for every placement.",
        "Split into %(parts)s parts to keep it manageable. A better placement may move people between parts, "
        "so the gap is measured against a bound that holds for every placement.",
        proposal.parts,
    ) % {"parts": proposal.parts}


def _names(keys: Iterable[int], names: dict[int, str]) -> str:
    return ", ".join(names.get(int(k), _("person %(id)s") % {"id": k}) for k in keys)


def conflict_sentence(
    conflict: dict[str, Any], *, names: dict[int, str], groups: dict[str, str], slots: dict[str, str]
) -> str:
    """One reason the hard rules cannot all hold, naming the rule and the people (a stored conflict)."""
    people = [int(k) for k in conflict.get("people") or []]
    count = len(people)
    who = _names(people, names)
    group_names = ", ".join(groups.get(k, k) for k in conflict.get("groups") or [])
    slot_names = ", ".join(slots.get(k, k) for k in conflict.get("slots") or [])
    detail: dict[str, int] = conflict.get("detail") or {}
    rule = conflict.get("rule")
    if rule == Rule.NO_SLOT:
        return ngettext(
            "%(names)s agreed to no time slot that has a group.",
            "%(names)s agreed to no time slot that has a group.",
            count,
        ) % {"names": who}
    if rule == Rule.CAPACITY:
        if "room" in detail:
            return _(
                "%(people)s people can come only at %(slots)s, but its groups hold at most %(room)s: %(names)s."
            ) % {"people": detail.get("people", count), "slots": slot_names, "room": detail["room"], "names": who}
        return _("These people cannot all be placed within the group sizes: %(names)s.") % {"names": who}
    if rule == Rule.TOO_FEW:
        return _("Only %(people)s people can come at %(slots)s, but its groups need at least %(need)s: %(names)s.") % {
            "people": detail.get("people", count),
            "slots": slot_names,
            "need": detail.get("need", 0),
            "names": who,
        }
    if rule == Rule.LOCK_SLOT:
        return ngettext(
            "%(names)s is locked into a group that meets at a time they did not agree to.",
            "%(names)s are locked into groups that meet at times they did not agree to.",
            count,
        ) % {"names": who}
    if rule == Rule.LOCK_UNKNOWN:
        return ngettext(
            "%(names)s is locked into a group that is not in this proposal.",
            "%(names)s are locked into a group that is not in this proposal.",
            count,
        ) % {"names": who}
    if rule == Rule.LOCK_SIZE:
        return _("More people are locked into %(group)s than it has room for (%(room)s): %(names)s.") % {
            "group": group_names,
            "room": detail.get("room", 0),
            "names": who,
        }
    if rule == Rule.LOCK_APART:
        return _("%(names)s must not share a group, but are locked into the same group, %(group)s.") % {
            "names": who,
            "group": group_names,
        }
    if rule == Rule.PAIR_CONTRADICTS:
        return _("%(names)s must be kept apart and should also be together: remove one of the two pair rules.") % {
            "names": who
        }
    if rule == Rule.PAIR_SELF:
        return _("A pair rule names %(names)s twice.") % {"names": who}
    if rule == Rule.PAIR_UNKNOWN:
        return ngettext(
            "A pair rule or a lock names someone who is no longer waiting for a group: %(names)s.",
            "Pair rules or locks name people who are no longer waiting for a group: %(names)s.",
            count,
        ) % {"names": who}
    if rule == Rule.APART_CROWD:
        return _(
            "%(names)s must be kept apart from each other, but there are not enough groups at the times "
            "they can come to keep them all apart."
        ) % {"names": who}
    if rule == Rule.SIZES:
        if "min" in detail and "max" in detail and "people" in detail:
            return _("%(people)s people cannot be split into groups of %(min)s–%(max)s.") % {
                "people": detail["people"],
                "min": detail["min"],
                "max": detail["max"],
            }
        if "need" in detail:
            return _("Only %(people)s people can come at %(slots)s; a group needs at least %(need)s: %(names)s.") % {
                "people": detail.get("people", count),
                "slots": slot_names,
                "need": detail["need"],
                "names": who,
            }
        return _("The group sizes %(min)s–%(max)s are not possible.") % {
            "min": detail.get("min", "?"),
            "max": detail.get("max", "?"),
        }
    if rule == Rule.TIME_LIMIT:
        return _("The time limit must be more than zero seconds.")
    if rule == Rule.NO_PEOPLE:
        return _("Nobody is waiting for a group: accept applicants first.")
    return _("A rule cannot hold for these people: %(names)s.") % {"names": who}


# --- the groups and the people -----------------------------------------------------------------


@dataclass
class Choice:
    """A group a person can be moved to."""

    key: str
    label: str


@dataclass
class Member:
    pk: int
    name: str
    industry: str
    years: int | None
    wishes: list[str]
    group: str  # the group key, "" when left out
    locked: bool = False
    earlier: bool = False  # already a member of a stored group (late joiners' run): not moved here
    why: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)  # the other groups at times they agreed to


@dataclass
class GroupCard:
    key: str
    anchor: str  # the card's id on the page
    name: str
    slot: str
    size: int
    size_min: int
    size_max: int
    industries: list[tuple[str, int]]
    bands: list[tuple[str, int]]
    themes: list[tuple[str, int]]
    members: list[Member]
    warnings: list[str] = field(default_factory=list)
    stored: bool = False  # an existing group of the programme

    @property
    def out_of_bounds(self) -> bool:
        return self.size > self.size_max or 0 < self.size < self.size_min


@dataclass
class Board:
    groups: list[GroupCard]
    left_out: list[Member]
    names: dict[int, str]
    slots: dict[str, str]
    warnings: list[Warning]

    def warning_links(self) -> list[tuple[str, str]]:
        """Each broken rule's message, with the id of the group card it concerns ("" for none)."""
        anchors = {card.key: card.anchor for card in self.groups}
        return [(w.message, anchors.get(w.group, "")) for w in self.warnings]


def why_here(
    person: Person,
    *,
    group_slot: str,
    crowd: Sequence[Person],
    plan: Sequence[str],
    locked: bool,
    moved: bool,
    apart: Sequence[int],
    together: Sequence[int],
    where: dict[int, str],
    here: str,
    names: dict[int, str],
    slots: dict[str, str],
) -> list[str]:
    """Short reasons for one person's place: the agreed time, a lock, the industry, the wishes, the pairs."""
    reasons: list[str] = []
    label = slots.get(group_slot, group_slot)
    if group_slot in person.slots:
        others = [slots.get(s, s) for s in sorted(person.slots) if s != group_slot]
        if others:
            reasons.append(_("Agreed to %(slot)s (and to %(others)s).") % {"slot": label, "others": ", ".join(others)})
        else:
            reasons.append(_("Agreed to %(slot)s.") % {"slot": label})
    else:
        reasons.append(_("Did not agree to %(slot)s.") % {"slot": label})
    if locked:
        reasons.append(_("Locked here: running again keeps them in this group."))
    elif moved:
        reasons.append(_("Moved here by hand."))
    if person.industry:
        same = sum(1 for p in crowd if p.key != person.key and p.industry == person.industry)
        if same == 0:
            reasons.append(_("The only one of their industry here."))
        else:
            reasons.append(
                ngettext(
                    "Shares their industry with %(count)s other member.",
                    "Shares their industry with %(count)s other members.",
                    same,
                )
                % {"count": same}
            )
    top = list(person.themes[:TOP_WISHES])
    if top:
        covered = sum(1 for theme in top if theme in plan)
        reasons.append(
            ngettext(
                "The group's meetings cover %(covered)s of their %(count)s top wish.",
                "The group's meetings cover %(covered)s of their %(count)s top wishes.",
                len(top),
            )
            % {"covered": covered, "count": len(top)}
        )
    away = [k for k in apart if where.get(k) != here]
    if away:
        reasons.append(_("Kept apart from %(names)s.") % {"names": _names(away, names)})
    with_them = [k for k in together if where.get(k) == here]
    without = [k for k in together if where.get(k) != here]
    if with_them:
        reasons.append(_("Together with %(names)s, as wished.") % {"names": _names(with_them, names)})
    if without:
        reasons.append(_("Not with %(names)s, though wished together.") % {"names": _names(without, names)})
    return reasons


def _choice_label(spec: dict[str, Any], size: int, slots: dict[str, str]) -> str:
    return _("%(group)s (%(slot)s, %(count)s members)") % {
        "group": spec["name"],
        "slot": slots.get(spec["slot"], spec["slot"]),
        "count": size,
    }


def proposal_board(*, proposal: Proposal, warnings: list[Warning], data: Input | None = None) -> Board:
    """The proposal's current placement as groups side by side, each person with a reason for their place."""
    data = data or problem_input(proposal=proposal)
    problem = data.problem
    people = {p.key: p for p in problem.people}
    names = {k: data.participants[k].display_name for k in data.participants}
    slot_labels = {key: slot.label for key, slot in data.slots.items()}
    theme_labels = {t.key: t.label for t in proposal.programme.themes.all()}
    stored = {g.key: g for g in problem.groups}
    specs = [
        stored.get(g["key"]) or GroupSpec(key=g["key"], slot=g["slot"], name=g.get("name", "")) for g in proposal.groups
    ]
    assignment = {int(k): v for k, v in proposal.assignment.items() if int(k) in people}
    summaries = {s.key: s for s in scoring.summaries(problem, specs, assignment)}
    where: dict[int, str] = {k: g.key for g in problem.groups for k in g.members}
    where.update(assignment)
    earlier = {k for g in problem.groups for k in g.members}
    locks = {int(k): v for k, v in (proposal.locks or {}).items()}
    solver = {int(k): v for k, v in (proposal.solver_assignment or {}).items()}
    apart: dict[int, list[int]] = {}
    together: dict[int, list[int]] = {}
    for a, b in problem.apart:
        apart.setdefault(a, []).append(b)
        apart.setdefault(b, []).append(a)
    for a, b in problem.together:
        together.setdefault(a, []).append(b)
        together.setdefault(b, []).append(a)
    sizes = {key: len(summary.members) for key, summary in summaries.items()}
    # The groups a person can be moved to are those at the times they agreed to: one list per time, in the
    # proposal's order, made once and shared, so the page grows with the people, not people × groups.
    order = {g["key"]: n for n, g in enumerate(proposal.groups)}
    by_slot: dict[str, list[Choice]] = {}
    for g in proposal.groups:
        by_slot.setdefault(g["slot"], []).append(
            Choice(key=g["key"], label=_choice_label(g, sizes.get(g["key"], 0), slot_labels))
        )

    def choices_for(person: Person, key: str) -> list[Choice]:
        found = [c for slot in person.slots for c in by_slot.get(slot, ()) if c.key != key]
        return sorted(found, key=lambda c: order[c.key]) if len(person.slots) > 1 else found

    person_warnings: dict[int, list[str]] = {}
    group_warnings: dict[str, list[str]] = {}
    for warning in warnings:
        if warning.group:
            group_warnings.setdefault(warning.group, []).append(warning.message)
        for k in warning.people:
            person_warnings.setdefault(k, []).append(warning.message)

    def member(person: Person, key: str, plan: Sequence[str], crowd: Sequence[Person]) -> Member:
        row = Member(
            pk=person.key,
            name=names.get(person.key, person.name),
            industry=industry_name(person.industry) if person.industry else "",
            years=person.years,
            wishes=[theme_labels.get(t, t) for t in person.themes[:TOP_WISHES]],
            group=key,
            locked=person.key in locks,
            earlier=person.key in earlier,
            warnings=person_warnings.get(person.key, []),
        )
        if key:
            slot = next((g["slot"] for g in proposal.groups if g["key"] == key), "")
            row.why = why_here(
                person,
                group_slot=slot,
                crowd=crowd,
                plan=plan,
                locked=row.locked,
                moved=bool(solver) and solver.get(person.key) != key and person.key not in earlier,
                apart=apart.get(person.key, []),
                together=together.get(person.key, []),
                where=where,
                here=key,
                names=names,
                slots=slot_labels,
            )
        if not row.earlier:
            row.choices = choices_for(person, key)
        return row

    cards = []
    for index, spec in enumerate(proposal.groups, start=1):
        summary = summaries[spec["key"]]
        crowd = [people[k] for k in summary.members]
        bands = Counter(p.band for p in crowd)
        cards.append(
            GroupCard(
                key=spec["key"],
                anchor=f"group-{index}",
                name=spec["name"],
                slot=slot_labels.get(spec["slot"], spec["slot"]),
                size=summary.size,
                size_min=problem.size_min,
                size_max=problem.size_max,
                industries=[(industry_name(code), n) for code, n in summary.industries.items()],
                bands=[(str(BAND_LABELS[b]), bands[b]) for b in ("new", "established", "long-time") if bands[b]],
                themes=[(theme_labels.get(t, t), summary.theme_support.get(t, 0)) for t in summary.plan],
                members=sorted(
                    (member(people[k], spec["key"], summary.plan, crowd) for k in summary.members),
                    key=lambda m: (not m.earlier, m.name.casefold()),
                ),
                warnings=group_warnings.get(spec["key"], []),
                stored=bool(spec.get("group_id")),
            )
        )
    left_out = sorted(
        (member(people[k], "", (), ()) for k in people if k not in where),
        key=lambda m: m.name.casefold(),
    )
    return Board(groups=cards, left_out=left_out, names=names, slots=slot_labels, warnings=warnings)


def conflict_sentences(*, proposal: Proposal, board: Board | None = None) -> list[str]:
    """Every stored conflict of the proposal in words, naming people even when they have left since."""
    conflicts = proposal.conflicts or []
    if not conflicts:
        return []
    wanted = {int(k) for c in conflicts for k in c.get("people") or []}
    names = dict(board.names) if board is not None else {}
    missing = wanted - set(names)
    if missing:
        for participant in Participant.objects.filter(pk__in=missing, programme=proposal.programme).select_related(
            "user"
        ):
            names[participant.pk] = participant.display_name
    slots = dict(board.slots) if board is not None else {s.key: s.label for s in proposal.programme.time_slots.all()}
    groups = {g["key"]: g["name"] for g in proposal.groups}
    return [conflict_sentence(c, names=names, groups=groups, slots=slots) for c in conflicts]


def goal_rows(*, proposal: Proposal, now: dict[str, int] | None) -> list[dict[str, Any]]:
    """One row per goal: its plain name, what it counts, its weight, and the scores now, by the optimiser and simply."""
    weights = proposal.weights or {}
    return [
        {
            "goal": goal,
            "label": goal_label(goal, proposal.industry_mode),
            "unit": goal_unit(goal, proposal.industry_mode),
            "weight": weights.get(goal, default_weight(goal)),
            "now": None if now is None else now.get(goal),
            "optimiser": (proposal.goals or {}).get(goal),
            "baseline": (proposal.baseline_goals or {}).get(goal),
        }
        for goal in GOALS
    ]
