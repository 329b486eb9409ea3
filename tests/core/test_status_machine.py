"""Every allowed and every refused move of the participant status machine."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kollega.core import services
from kollega.core.models import Participant, Status
from kollega.core.services import TransitionError
from kollega.grouping.services import group_add_member
from kollega.meetings.services import meeting_mark_held
from tests.factories import make_group, make_participant, make_programme, meetings_of

S = Status

# in_group comes in three flavours: before the first held meeting, after it, and
# after the last one.
STATES = [s for s in S.values if s != S.IN_GROUP] + ["in_group:not_started", "in_group:started", "in_group:finished"]


def _reach(programme, state: str) -> Participant:
    if not state.startswith("in_group") and state not in {S.COMPLETED, S.WITHDRAWN}:
        return make_participant(programme, state)
    past = timezone.now() - timedelta(days=60)
    group = make_group(programme, members=1, meetings=2, first_meeting_at=past)
    participant = Participant.objects.get(membership__group=group)
    first, last = meetings_of(group)
    if state in {"in_group:started", "in_group:finished", S.COMPLETED, S.WITHDRAWN}:
        meeting_mark_held(meeting=first, actor=None)
    if state == S.WITHDRAWN:
        services.participant_change_status(participant=participant, to_status=S.WITHDRAWN, actor=None, reason="paused")
    if state in {"in_group:finished", S.COMPLETED}:
        if state == "in_group:finished":
            # Hold the last meeting without the automatic completion, to test the rule itself.
            type(last).objects.filter(pk=last.pk).update(status="held", held_at=timezone.now())
        else:
            meeting_mark_held(meeting=last, actor=None)
    participant.refresh_from_db()
    return participant


# Written out by hand from the rules in the issue, not derived from the code.
ALLOWED = {
    S.REGISTERED: {S.WAITING_LIST, S.INTERVIEW_BOOKED, S.DECLINED, S.CANCELLED},
    S.WAITING_LIST: {S.REGISTERED, S.INTERVIEW_BOOKED, S.DECLINED, S.CANCELLED},
    S.INTERVIEW_BOOKED: {S.REGISTERED, S.INTERVIEWED, S.DECLINED, S.CANCELLED},
    S.INTERVIEWED: {S.ACCEPTED, S.DECLINED, S.CANCELLED},
    S.ACCEPTED: {S.IN_GROUP, S.DECLINED, S.CANCELLED},
    "in_group:not_started": {S.ACCEPTED, S.CANCELLED},
    "in_group:started": {S.WITHDRAWN},
    "in_group:finished": {S.WITHDRAWN, S.COMPLETED},
    S.DECLINED: set(),
    S.COMPLETED: set(),
    S.CANCELLED: set(),
    S.WITHDRAWN: set(),
}


def _expected(state: str, target: str) -> bool:
    return target in ALLOWED[state]


@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("target", S.values)
def test_transition(state: str, target: str) -> None:
    programme = make_programme(meeting_count=2)
    participant = _reach(programme, state)
    assert participant.status == state.split(":")[0]
    history_before = participant.status_changes.count()
    allowed = _expected(state, target)
    if allowed and target == S.IN_GROUP:
        # Only placing a person in a group makes them "in a group".
        with pytest.raises(TransitionError):
            services.participant_change_status(participant=participant, to_status=target, actor=None)
        group_add_member(group=make_group(programme), participant=participant, actor=None)
        participant.refresh_from_db()
        assert participant.status == S.IN_GROUP
    elif allowed:
        services.participant_change_status(participant=participant, to_status=target, actor=None, reason="because")
        participant.refresh_from_db()
        assert participant.status == target
        last = participant.status_changes.order_by("-at", "-id").first()
        assert last is not None
        assert (last.from_status, last.to_status, last.reason) == (state.split(":")[0], target, "because")
    else:
        with pytest.raises(TransitionError):
            services.participant_change_status(participant=participant, to_status=target, actor=None, reason="x")
        participant.refresh_from_db()
        assert participant.status == state.split(":")[0]
        assert participant.status_changes.count() == history_before


@pytest.mark.django_db
@pytest.mark.parametrize("target", [S.DECLINED, S.CANCELLED])
def test_leaving_needs_a_reason(target: str) -> None:
    participant = make_participant(make_programme(), S.INTERVIEWED)
    with pytest.raises(TransitionError, match="reason"):
        services.participant_change_status(participant=participant, to_status=target, actor=None, reason="  ")
    participant.refresh_from_db()
    assert participant.status == S.INTERVIEWED


@pytest.mark.django_db
def test_unknown_status_is_refused() -> None:
    participant = make_participant(make_programme())
    with pytest.raises(TransitionError, match="Unknown"):
        services.participant_change_status(participant=participant, to_status="graduated", actor=None)


@pytest.mark.django_db
def test_interview_no_show_is_recorded_and_allows_rebooking() -> None:
    participant = make_participant(make_programme(), S.INTERVIEW_BOOKED)
    services.participant_record_interview_no_show(participant=participant, actor=None)
    participant.refresh_from_db()
    assert participant.status == S.REGISTERED
    event = participant.status_changes.order_by("-id").first()
    assert event is not None and event.event == "interview_no_show"
    services.participant_change_status(participant=participant, to_status=S.INTERVIEW_BOOKED, actor=None)
    participant.refresh_from_db()
    assert participant.status == S.INTERVIEW_BOOKED


@pytest.mark.django_db
def test_no_show_needs_a_booking() -> None:
    participant = make_participant(make_programme(), S.REGISTERED)
    with pytest.raises(TransitionError):
        services.participant_record_interview_no_show(participant=participant, actor=None)


@pytest.mark.django_db
def test_holding_the_last_meeting_completes_members_who_stayed() -> None:
    programme = make_programme(meeting_count=3)
    past = timezone.now() - timedelta(days=90)
    group = make_group(programme, members=3, meetings=3, first_meeting_at=past)
    first, second, third = meetings_of(group)
    stayer, leaver, _other = Participant.objects.filter(membership__group=group).order_by("pk")
    meeting_mark_held(meeting=first, actor=None)
    services.participant_change_status(participant=leaver, to_status=S.WITHDRAWN, actor=None, reason="paused")
    meeting_mark_held(meeting=second, actor=None)
    stayer.refresh_from_db()
    assert stayer.status == S.IN_GROUP  # not yet: one meeting to go
    meeting_mark_held(meeting=third, actor=None)
    statuses = dict(Participant.objects.filter(membership__group=group).values_list("pk", "status"))
    assert statuses[stayer.pk] == S.COMPLETED
    assert statuses[leaver.pk] == S.WITHDRAWN
    assert list(statuses.values()).count(S.COMPLETED) == 2


@pytest.mark.django_db
def test_started_means_the_group_has_held_a_meeting() -> None:
    from kollega.core.selectors import participant_has_started

    programme = make_programme()
    group = make_group(programme, members=1, meetings=1, first_meeting_at=timezone.now() - timedelta(hours=3))
    participant = Participant.objects.get(membership__group=group)
    assert not participant_has_started(participant=participant)
    meeting_mark_held(meeting=meetings_of(group)[0], actor=None)
    assert participant_has_started(participant=participant)


@pytest.mark.django_db
def test_bulk_change_is_all_or_nothing() -> None:
    programme = make_programme()
    fine = make_participant(programme, S.INTERVIEWED)
    stuck = make_participant(programme, S.REGISTERED)
    with pytest.raises(services.BulkTransitionError) as info:
        services.participants_change_status_bulk(participants=[fine, stuck], to_status=S.ACCEPTED, actor=None)
    assert [p.pk for p, _msg in info.value.refused] == [stuck.pk]
    fine.refresh_from_db()
    assert fine.status == S.INTERVIEWED
    services.participants_change_status_bulk(participants=[fine], to_status=S.ACCEPTED, actor=None)
    fine.refresh_from_db()
    assert fine.status == S.ACCEPTED


@pytest.mark.django_db
def test_holding_the_only_meeting_of_an_unfinished_schedule_completes_nobody() -> None:
    programme = make_programme()  # five meetings
    group = make_group(programme, members=2, meetings=1, first_meeting_at=timezone.now() - timedelta(days=1))
    meeting_mark_held(meeting=meetings_of(group)[0], actor=None)
    assert set(Participant.objects.filter(membership__group=group).values_list("status", flat=True)) == {S.IN_GROUP}


@pytest.mark.django_db
def test_cancelling_the_last_meeting_to_come_finishes_the_group() -> None:
    from kollega.meetings.services import meeting_cancel

    programme = make_programme(meeting_count=3)
    group = make_group(programme, members=2, meetings=3, first_meeting_at=timezone.now() - timedelta(days=50))
    first, second, third = meetings_of(group)
    meeting_mark_held(meeting=first, actor=None)
    meeting_mark_held(meeting=second, actor=None)
    assert set(Participant.objects.filter(membership__group=group).values_list("status", flat=True)) == {S.IN_GROUP}
    meeting_cancel(meeting=third, actor=None, reason="snow storm")
    assert set(Participant.objects.filter(membership__group=group).values_list("status", flat=True)) == {S.COMPLETED}


@pytest.mark.django_db
def test_a_late_joiner_has_not_started_until_a_meeting_after_joining() -> None:
    from kollega.core.selectors import participant_has_started
    from kollega.grouping.services import group_add_member

    programme = make_programme()
    group = make_group(programme, members=1, meetings=2, first_meeting_at=timezone.now() - timedelta(days=30))
    first, second = meetings_of(group)
    meeting_mark_held(meeting=first, actor=None)
    late = make_participant(programme, S.ACCEPTED)
    group_add_member(group=group, participant=late, actor=None)
    assert not participant_has_started(participant=late)
    # Leaving now is a cancellation, not a withdrawal.
    services.participant_change_status(participant=late, to_status=S.CANCELLED, actor=None, reason="changed mind")
    Participant.objects.filter(pk=late.pk).update(status=S.ACCEPTED)
    late.refresh_from_db()
    group_add_member(group=group, participant=late, actor=None, at=timezone.now() - timedelta(days=10))
    type(second).objects.filter(pk=second.pk).update(starts_at=timezone.now() - timedelta(days=9))
    meeting_mark_held(meeting=second, actor=None)
    assert participant_has_started(participant=late)
