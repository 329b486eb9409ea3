"""Pair rules: two applicants the coordinator wants kept apart, or placed together.

A pair has one row whatever its kind, stored with the smaller participant id
first, so "A apart from B" and "B together with A" cannot both exist: the
second is refused with a message naming the rule already in force.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kollega.accounts.models import User
from kollega.core.models import Participant, Programme
from kollega.core.services import audit_log
from kollega.grouping.models import PairKind, PairRule

NOTE_MAX = 200


@transaction.atomic
def pair_rule_create(
    *,
    programme: Programme,
    first: Participant,
    second: Participant,
    kind: str,
    note: str = "",
    actor: User | None,
) -> PairRule:
    """Record that ``first`` and ``second`` must not share a group (``apart``) or should (``together``)."""
    errors: dict[str, str] = {}
    if kind not in PairKind.values:
        errors["kind"] = _("Choose whether the two must be kept apart or should be together.")
    if first.programme_id != programme.pk or second.programme_id != programme.pk:
        errors["second"] = _("Both people must be applicants of this programme.")
    elif first.pk == second.pk:
        errors["second"] = _("Choose two different people.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = _("Keep the reason under %(max)s characters.") % {"max": NOTE_MAX}
    if errors:
        raise ValidationError(errors)
    low, high = (first, second) if first.pk < second.pk else (second, first)
    existing = PairRule.objects.filter(programme=programme, first=low, second=high).first()
    if existing is not None:
        raise ValidationError(
            {
                "second": _("%(first)s and %(second)s already have a rule: %(rule)s.")
                % {
                    "first": low.display_name,
                    "second": high.display_name,
                    "rule": str(PairKind(existing.kind).label).lower(),
                }
            },
            code="exists",
        )
    try:
        with transaction.atomic():
            rule = PairRule.objects.create(
                programme=programme, first=low, second=high, kind=kind, note=note, created_by=actor
            )
    except IntegrityError as exc:  # someone else ruled the same pair a moment ago
        raise ValidationError(
            {
                "second": _("%(first)s and %(second)s already have a rule.")
                % {"first": low.display_name, "second": high.display_name}
            },
            code="exists",
        ) from exc
    audit_log(
        action="grouping.pair.created",
        subject=rule,
        actor=actor,
        organisation=programme.organisation,
        data={"first": low.pk, "second": high.pk, "kind": kind},
    )
    return rule


@transaction.atomic
def pair_rule_delete(*, rule: PairRule, actor: User | None) -> None:
    """Remove a pair rule; later proposals no longer honour it."""
    programme = rule.programme
    data = {"first": rule.first_id, "second": rule.second_id, "kind": rule.kind}
    audit_log(action="grouping.pair.deleted", subject=rule, actor=actor, organisation=programme.organisation, data=data)
    rule.delete()
