"""``kollega generate-schedule``: schedules from a terminal, the preview, the JSON, and refusals in words."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kollega.__main__ import main
from kollega.core.models import ClosedPeriod, Programme
from kollega.grouping.models import Group
from kollega.meetings import messages
from kollega.meetings.models import Meeting
from kollega.notifications.models import Notification
from tests.factories import make_group, make_organisation, make_programme, make_staff

pytestmark = pytest.mark.django_db


def independence_day() -> date:
    return date(timezone.localdate().year + 1, 12, 6)


@pytest.fixture
def programme() -> Programme:
    return make_programme(make_organisation())


@pytest.fixture
def group(programme: Programme) -> Group:
    """Five meetings three weeks apart; the second falls on Independence Day."""
    lead = make_staff(programme.organisation, full_name="Eero Ohjaaja")
    return make_group(programme, members=3, lead=lead, start=independence_day() - timedelta(days=21))


def command(*args: str) -> str:
    out = StringIO()
    call_command("generate_schedule", *args, stdout=out)
    return out.getvalue()


def fails(*args: str) -> tuple[int, str, str]:
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("generate_schedule", *args, stdout=out)
    return caught.value.returncode, str(caught.value), out.getvalue()


def test_groups_without_a_schedule_get_one_with_moves_explained_and_invitations_queued(
    programme: Programme, group: Group
) -> None:
    output = command(programme.slug)

    assert Meeting.objects.filter(group=group).count() == 5
    assert f"{group.name}: 5 meetings" in output
    assert "Moved from 6.12. (Independence Day)." in output
    assert "Invitations queued: 4; reminders: 20." in output  # three members and the lead facilitator
    assert "1 group scheduled." in output
    assert Notification.objects.filter(kind=messages.KIND_INVITATION).count() == 4
    second = Meeting.objects.get(group=group, number=2)
    assert second.planned_date == independence_day() and second.move_reason == "holiday"
    assert "Every group of" in command(str(programme.pk))  # a second run has nothing to do
    assert Notification.objects.filter(kind=messages.KIND_INVITATION).count() == 4


def test_a_run_schedules_the_waiting_groups_and_names_those_left_as_they_are(
    programme: Programme, group: Group
) -> None:
    earlier = make_group(programme, members=2, start=independence_day() + timedelta(days=1))
    call_command("generate_schedule", str(programme.pk), "--group", earlier.name, stdout=StringIO())

    output = command(str(programme.pk))

    assert f"Already scheduled, left as they are: {earlier.name}." in output
    assert f"{group.name}: 5 meetings" in output
    assert "1 group scheduled." in output
    assert Meeting.objects.count() == 10


def test_a_dry_run_shows_the_dates_and_stores_and_sends_nothing(programme: Programme, group: Group) -> None:
    output = command(str(programme.pk), "--dry-run", "--rule", "next_week")

    assert "dry run: nothing is stored or sent" in output
    assert f"{group.name}: 5 meetings" in output
    assert "Moved from 6.12. (Independence Day)." in output
    week_later = independence_day() + timedelta(days=7)
    assert f"{week_later.day}.{week_later.month}.{week_later.year}" in output
    assert "Run again without --dry-run" in output
    assert not Meeting.objects.exists()
    assert not Notification.objects.exists()


def test_json_has_each_group_with_its_meetings_and_counts(programme: Programme, group: Group) -> None:
    data = json.loads(command(str(programme.pk), "--json"))

    assert (data["programme"], data["rule"], data["dry_run"]) == (programme.pk, "next_working_day", False)
    [made] = data["groups"]
    assert (made["id"], made["scheduled"], made["error"]) == (group.pk, True, "")
    assert (made["invitations"], made["reminders"]) == (4, 20)
    assert [m["number"] for m in made["meetings"]] == [1, 2, 3, 4, 5]
    assert made["meetings"][0]["starts_at"].endswith("+02:00")
    assert made["meetings"][1]["moved"]["reason"] == "holiday"
    assert made["meetings"][1]["planned_date"] == independence_day().isoformat()
    assert made["meetings"][0]["theme"]  # the programme's first theme opens every group
    assert data["already_scheduled"] == []


def test_a_named_group_that_has_its_schedule_is_refused_and_the_others_are_still_made(
    programme: Programme, group: Group
) -> None:
    other = make_group(programme, members=2, start=independence_day() + timedelta(days=1))
    command(str(programme.pk), "--group", str(group.pk))

    code, message, output = fails(str(programme.pk), "--group", group.name.upper(), other.name)

    assert code == 1
    assert f"1 group could not be scheduled: {group.name}" in message
    assert f"{group.name}: not scheduled. The group already has its schedule." in output
    assert Meeting.objects.filter(group=other).count() == 5
    assert Meeting.objects.filter(group=group).count() == 5


def test_a_move_that_cannot_be_made_is_said_in_words(programme: Programme, group: Group) -> None:
    ClosedPeriod.objects.create(
        organisation=programme.organisation,
        name="Long renovation",
        start_date=independence_day(),
        end_date=independence_day() + timedelta(days=90),
    )

    code, message, output = fails(str(programme.pk))
    dry_code, _dry_message, dry_output = fails(str(programme.pk), "--dry-run")

    assert code == dry_code == 1
    assert "Meeting 2 on" in output and "no free day follows within ten weeks" in output
    assert "Meeting 2 on" in dry_output
    assert group.name in message
    assert not Meeting.objects.exists() and not Notification.objects.exists()


def test_a_first_meeting_in_the_past_is_refused(programme: Programme) -> None:
    late = make_group(programme, members=2, start=timezone.localdate() - timedelta(days=2))

    code, _message, output = fails(str(programme.pk))
    _dry_code, _dry_message, dry_output = fails(str(programme.pk), "--dry-run")

    assert code == 1
    assert f"{late.name}: not scheduled." in output and "would already be in the past" in output
    assert "would already be in the past" in dry_output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["999999"], "There is no programme 999999."),
        (["{programme}", "--group", "Nobody's group"], "has no group Nobody's group."),
    ],
)
def test_unknown_programmes_and_groups_are_usage_errors(programme: Programme, args: list[str], words: str) -> None:
    code, message, _output = fails(*(a.format(programme=programme.pk) for a in args))

    assert code == 2
    assert words in message


def test_a_programme_without_groups_has_nothing_to_do(programme: Programme) -> None:
    assert "has no groups yet" in command(str(programme.pk))


def test_the_kollega_command_takes_the_dashed_name(programme: Programme, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["kollega", "generate-schedule", "no-such-programme"])

    assert caught.value.code == 2
    assert "There is no programme no-such-programme." in capsys.readouterr().err
