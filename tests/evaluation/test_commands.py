"""``kollega open-round``, ``remind-round`` and ``close-round``: output and exit statuses."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from kollega.core.models import Status
from kollega.evaluation.models import QuestionnaireRound, RoundInvitation, RoundKind

pytestmark = pytest.mark.django_db


def command(name: str, *args: str) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def fails(name: str, *args: str) -> tuple[int, str]:
    with pytest.raises(CommandError) as caught:
        call_command(name, *args, stdout=StringIO())
    return caught.value.returncode, str(caught.value)


def test_open_remind_and_close_a_follow_up_round(programme, person) -> None:
    person(status=Status.ACCEPTED)
    person(status=Status.ACCEPTED, consent=False)
    last_day = (timezone.localdate() + timedelta(days=20)).isoformat()
    output = command("open_round", str(programme.pk), "--kind", "follow_up", "--closes", last_day)
    round = QuestionnaireRound.objects.get()
    assert f"Opened round {round.pk} (Follow-up)" in output and "1 of 2 invited" in output
    assert round.kind == RoundKind.FOLLOW_UP
    assert "Reminded 0 people." in command("remind_round", str(round.pk))
    # Three days on (the wait counts from the later of the invitation and the opening):
    QuestionnaireRound.objects.update(opens_at=timezone.now() - timedelta(days=3))
    RoundInvitation.objects.update(invited_at=timezone.now() - timedelta(days=3))
    assert "Reminded 1 person." in command("remind_round", str(round.pk))
    assert f"Closed round {round.pk}: 0 of 1 answered." in command("close_round", str(round.pk))
    assert "already closed" in command("close_round", str(round.pk))
    assert fails("remind_round", str(round.pk)) == (1, "Only an open round can be reminded about.")


def test_usage_errors_exit_with_2(programme) -> None:
    assert fails("open_round", "no-such-programme")[0] == 2
    assert fails("open_round", str(programme.pk), "--kind", "weekly")[0] == 2
    assert fails("open_round", str(programme.pk), "--closes", "31.12.2030")[0] == 2
    assert fails("open_round", str(programme.pk), "--status", "sleeping")[0] == 2
    assert fails("remind_round", "999") == (2, "There is no questionnaire round 999.")
    assert fails("close_round", "abc")[0] == 2


def test_a_closing_date_in_the_past_is_refused_with_1(programme) -> None:
    assert fails("open_round", str(programme.pk), "--closes", "2001-01-01")[0] == 1
    assert not QuestionnaireRound.objects.exists()


def test_the_hyphenated_names_run_as_a_separate_process(tmp_path) -> None:
    from tests.support.processes import kollega_env, run_kollega

    result = run_kollega("close-round", "--help", env=kollega_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Close a questionnaire round." in result.stdout
