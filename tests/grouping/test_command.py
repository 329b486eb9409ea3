"""``kollega propose-groups``: the summary, the JSON, and one-line refusals."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kollega.core.models import Programme, Status
from kollega.grouping.models import PairKind, PairRule, Proposal, ProposalState
from tests.factories import make_accepted_applicants, make_organisation, make_participant, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme() -> Programme:
    return make_programme(make_organisation())


def command(*args: str) -> str:
    out = StringIO()
    call_command("propose_groups", *args, stdout=out)
    return out.getvalue()


def fails(*args: str) -> tuple[int, str, str]:
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("propose_groups", *args, stdout=out)
    return caught.value.returncode, str(caught.value), out.getvalue()


def test_the_summary_names_the_status_goals_and_groups(programme: Programme) -> None:
    people = make_accepted_applicants(programme, 14)

    output = command(str(programme.pk), "--time-limit", "3")

    proposal = Proposal.objects.get()
    assert proposal.state == ProposalState.DONE
    assert f"Proposal 1 for {programme.name} (" in output
    assert "Proven best" in output or "from the best possible" in output
    assert "Objective " in output and "proven bound" in output and "gap" in output
    for label in ("Mix of industries", "Mix of new and long-time entrepreneurs", "Even group sizes"):
        assert label in output
    assert "simple method" in output
    assert output.count("people): ") == 2  # two groups of 7
    for person in people:
        assert person.display_name in output
    assert "Left out" not in output


def test_json_has_the_result_and_the_groups_by_id(programme: Programme) -> None:
    people = make_accepted_applicants(programme, 13)

    data = json.loads(command(programme.slug, "--time-limit", "3", "--json", "--weights", "stability=0", "themes=5"))

    assert {"proposal", "status", "objective", "bound", "gap", "exact", "goals", "baseline_goals", "groups"} <= set(
        data
    )
    assert {"left_out", "conflicts"} <= set(data)
    assert data["proposal"] == 1
    assert data["status"] in ("optimal", "feasible")
    assert data["bound"] <= data["objective"]
    assert set(data["goals"]) == set(data["baseline_goals"])
    assert sorted(k for g in data["groups"] for k in g["members"]) == sorted(p.pk for p in people)
    assert all({"key", "slot", "name", "members"} <= set(g) for g in data["groups"])
    assert Proposal.objects.get().weights["themes"] == 5


def test_people_who_cannot_be_placed_are_named_and_the_exit_status_is_1(programme: Programme) -> None:
    make_accepted_applicants(programme, 12)
    make_participant(programme, Status.ACCEPTED, full_name="Iltavirkku Ilona", time_slots=[])

    code, message, output = fails(str(programme.pk), "--time-limit", "2")

    assert code == 1
    assert "Not everyone could be placed" in message
    assert "Left out (1): Iltavirkku Ilona" in output
    assert "Iltavirkku Ilona agreed to no time slot that has a group." in output


def test_a_must_not_pair_is_kept_apart(programme: Programme) -> None:
    people = make_accepted_applicants(programme, 14)
    first, second = sorted(people[:2], key=lambda p: p.pk)
    PairRule.objects.create(programme=programme, first=first, second=second, kind=PairKind.APART)

    command(str(programme.pk), "--time-limit", "2")

    proposal = Proposal.objects.get()
    assert proposal.assignment[str(first.pk)] != proposal.assignment[str(second.pk)]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["no-such-programme"], "There is no programme no-such-programme."),
        (["999999"], "There is no programme 999999."),
        (["{pk}", "--time-limit", "0"], "The time limit must be a whole number of seconds from 1 to 600."),
        (["{pk}", "--time-limit", "soon"], "The time limit must be a whole number of seconds from 1 to 600."),
        (["{pk}", "--time-limit", "601"], "from 1 to 600"),
        (["{pk}", "--weights", "industry=11"], "A weight is a whole number from 0 to 10."),
        (["{pk}", "--weights", "happiness=3"], "Unknown goal happiness"),
        (["{pk}", "--weights", "industry"], "Write a weight as GOAL=N"),
    ],
)
def test_usage_errors_are_one_line_with_exit_status_2(programme: Programme, args: list[str], words: str) -> None:
    make_accepted_applicants(programme, 6)

    code, message, output = fails(*[a.format(pk=programme.pk) for a in args])

    assert code == 2
    assert words in message
    assert "\n" not in message
    assert output == ""
    assert not Proposal.objects.exists()


def test_the_hyphenated_name_runs_as_a_separate_process(tmp_path) -> None:
    from tests.support.processes import kollega_env, run_kollega

    result = run_kollega("propose-groups", "--help", env=kollega_env(tmp_path))

    assert result.returncode == 0, result.stderr
    assert "Propose groups for a programme" in result.stdout
