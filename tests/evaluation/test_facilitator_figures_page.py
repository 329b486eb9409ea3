"""The facilitator's "My groups" page shows the group's well-being means: only for a closed round that at least
five members answered, otherwise only how many answered; never anyone's own answers, never another group's."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kollega.core.models import ConsentItem, Programme, Role, Status
from kollega.core.services import consent_record
from kollega.evaluation import selectors, services
from kollega.evaluation.models import GroupFigureSnapshot, QuestionnaireRound, RoundKind
from kollega.grouping.models import Group, GroupMembership
from kollega.grouping.services import group_add_member
from tests.evaluation.conftest import answers
from tests.factories import make_group, make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db

MY_GROUPS = reverse("grouping:my_groups")
NOT_YET = "Not shown yet: means are shown when the round has closed and at least 5 members have answered."
TOO_FEW = "Not shown: fewer than 5 members answered this round."

# Six answers with different scores: WHO-5 raw 20, 15, 15, 15, 15, 5 (percent 80, 60, 60, 60, 60, 20),
# and work and peer support means 4.2, 3.0, 3.0, 3.0, 3.0, 1.4 (the last item is scored reversed).
WHO5 = [(4, 4, 4, 4, 4), (3, 3, 3, 3, 3), (3, 3, 3, 3, 3), (3, 3, 3, 3, 3), (3, 3, 3, 3, 3), (1, 1, 1, 1, 1)]
PEER = [(5, 5, 5, 4, 4), (3, 3, 3, 3, 3), (3, 3, 3, 3, 3), (3, 3, 3, 3, 3), (3, 3, 3, 3, 3), (1, 1, 1, 2, 4)]


def group_of_six(programme: Programme) -> tuple[Group, list, object]:
    lead = make_staff(programme.organisation, Role.FACILITATOR)
    group = make_group(programme, members=6, lead=lead)
    members = [m.participant for m in group.memberships.order_by("id")]
    for member in members:
        consent_record(participant=member, item=ConsentItem.WELLBEING_QUESTIONNAIRE, given=True, actor=None)
    return group, members, lead


def round_answered_by(programme: Programme, members: list, answered: int) -> QuestionnaireRound:
    round = services.round_open(
        programme=programme,
        form=services.wellbeing_form_ensure(programme=programme),
        kind=RoundKind.FINAL,
        participants=members,
        closes_at=timezone.now() + timedelta(days=14),
    )
    for n, member in enumerate(members[:answered]):
        services.round_answer(
            invitation=round.invitations.get(participant=member),
            raw=answers(who5=WHO5[n], peer=PEER[n]),
            language="en",
        )
    return round


def my_groups_as(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(MY_GROUPS, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def figures_table(text: str) -> str:
    start = text.index("Well-being questionnaires")
    return text[start : text.index("</table>", start)]


def figure_cells(text: str) -> list[str]:
    """The cells after the round's name: answered, then the two means or the sentence saying why not."""
    return [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", figures_table(text), re.S)]


def test_the_facilitator_sees_the_means_of_a_closed_round_that_five_answered(programme) -> None:
    _group, members, lead = group_of_six(programme)
    round = round_answered_by(programme, members, answered=5)
    services.round_close(round=round)

    text = my_groups_as(lead)

    assert "Final" in figures_table(text)
    # 5 answered; WHO-5 (80 + 4 × 60) / 5 = 64; work and peer support (4.2 + 4 × 3.0) / 5 = 3.24
    assert figure_cells(text) == ["5", "64", "3.2"]


def test_a_closed_round_that_four_answered_shows_only_the_count(programme) -> None:
    _group, members, lead = group_of_six(programme)
    round = round_answered_by(programme, members, answered=4)
    services.round_close(round=round)

    cells = figure_cells(my_groups_as(lead))

    assert cells[0] == "4"
    assert len(cells) == 2 and cells[1].startswith(TOO_FEW)  # no mean of any kind


def test_an_open_round_shows_only_the_count_even_with_six_answers(programme) -> None:
    _group, members, lead = group_of_six(programme)
    round_answered_by(programme, members, answered=6)

    cells = figure_cells(my_groups_as(lead))

    assert cells == ["6", NOT_YET]  # the means the six answers would give (57 and 2.9) are not there


def test_the_page_explains_what_a_group_mean_is(programme) -> None:
    _group, _members, lead = group_of_six(programme)
    text = my_groups_as(lead)
    assert "A group mean is a snapshot of the group at one moment, not any member's own result." in text
    assert "No well-being questionnaire has been sent in this programme yet." in text


def test_a_facilitator_of_another_group_does_not_see_this_group(programme) -> None:
    group, members, _lead = group_of_six(programme)
    round = round_answered_by(programme, members, answered=5)
    services.round_close(round=round)
    other_lead = make_staff(programme.organisation, Role.FACILITATOR)
    other_group = make_group(programme, members=1, lead=other_lead)

    text = my_groups_as(other_lead)

    assert other_group.name in text
    assert group.name not in text
    cells = figure_cells(text)  # the other group's own row of the round: nobody there answered
    assert cells[0] == "0" and cells[1].startswith(TOO_FEW) and len(cells) == 2
    for member in members:
        assert member.display_name not in text


def test_no_individual_scores_are_on_the_page(programme) -> None:
    _group, members, lead = group_of_six(programme)
    round = round_answered_by(programme, members, answered=6)
    services.round_close(round=round)

    text = my_groups_as(lead)

    # Only the group's figures: WHO-5 (80 + 4 × 60 + 20) / 6 = 56.7 and (4.2 + 4 × 3.0 + 1.4) / 6 = 2.93;
    # nobody's own percentage or mean, not the highest (80, 4.2), not the lowest (20, 1.4).
    assert figure_cells(text) == ["6", "57", "2.9"]
    # The members are listed by name, but no score stands next to any of them.
    for member in members:
        line = text[text.index(member.display_name) :]
        line = line[: line.index("</li>")]
        assert not re.search(r"\b(80|60|20|4\.2|3\.0|1\.4)\b", line)


# --- the means are stored when first shown, so later moves in the group give nobody's score away ---------------

# An extreme answer: WHO-5 100 and work and peer support 5.0 (the last item is scored reversed).
EXTREME = answers(who5=(5, 5, 5, 5, 5), peer=(5, 5, 5, 5, 1))


def short_date(moment, programme: Programme) -> str:
    local = timezone.localtime(moment, ZoneInfo(programme.organisation.time_zone))
    return f"{local.day}.{local.month}.{local.year}"


def outsider_who_answered(programme: Programme, round: QuestionnaireRound):
    """Someone of the programme, in no group yet, who answered the round with extreme scores."""
    someone = make_participant(programme, Status.ACCEPTED)
    consent_record(participant=someone, item=ConsentItem.WELLBEING_QUESTIONNAIRE, given=True, actor=None)
    services.round_invite(round=round, participant=someone)
    services.round_answer(invitation=round.invitations.get(participant=someone), raw=EXTREME, language="en")
    return someone


def test_the_means_stay_as_first_shown_when_members_join_or_leave_later(programme) -> None:
    group, members, lead = group_of_six(programme)
    round = round_answered_by(programme, members, answered=5)
    newcomer = outsider_who_answered(programme, round)
    services.round_close(round=round)

    first = my_groups_as(lead)
    assert figure_cells(first) == ["5", "64", "3.2"]
    assert f"Means as of {short_date(timezone.now(), programme)}" in figures_table(first)

    # After the round: the member who answered 80 leaves, and someone who answered 100 joins.
    # Worked out afresh, the means would be (4 × 60 + 100) / 5 = 68 and (4 × 3.0 + 5.0) / 5 = 3.4, and the
    # difference of the two readings would give both people's scores away.
    GroupMembership.objects.filter(participant=members[0]).delete()
    group_add_member(group=group, participant=newcomer, actor=None)

    assert figure_cells(my_groups_as(lead)) == ["5", "64", "3.2"]
    figures = selectors.group_figures_for_facilitator(user=lead, group=group, round=round)
    assert (figures.answered, figures.who5_mean, figures.peer_support_mean) == (5, 64, pytest.approx(3.24))
    assert GroupFigureSnapshot.objects.filter(group=group, round=round).count() == 1


def test_the_page_says_when_the_means_were_worked_out(programme) -> None:
    _group, members, lead = group_of_six(programme)
    round = round_answered_by(programme, members, answered=5)
    services.round_close(round=round)
    my_groups_as(lead)  # the means are shown, and so stored, now
    stored_at = timezone.now() - timedelta(days=3)
    GroupFigureSnapshot.objects.update(computed_at=stored_at)

    table = figures_table(my_groups_as(lead))

    assert f"Means as of {short_date(stored_at, programme)}" in table  # the stored copy, not worked out again
    assert "stay as they were even if members join or leave the group later" in my_groups_as(lead)


def test_while_fewer_than_five_answered_the_count_follows_the_members(programme) -> None:
    group, members, lead = group_of_six(programme)
    round = round_answered_by(programme, members, answered=4)
    newcomer = outsider_who_answered(programme, round)
    services.round_close(round=round)

    cells = figure_cells(my_groups_as(lead))
    assert cells[0] == "4" and cells[1].startswith(TOO_FEW) and "Means as of" not in my_groups_as(lead)
    assert not GroupFigureSnapshot.objects.exists()

    GroupMembership.objects.filter(participant=members[5]).delete()  # did not answer
    group_add_member(group=group, participant=newcomer, actor=None)

    # Now five have answered: the first means ever shown for this group and round, (80 + 3 × 60 + 100) / 5 = 72
    # and (4.2 + 3 × 3.0 + 5.0) / 5 = 3.64.
    assert figure_cells(my_groups_as(lead)) == ["5", "72", "3.6"]


def test_an_open_round_stores_nothing(programme) -> None:
    _group, members, lead = group_of_six(programme)
    round_answered_by(programme, members, answered=6)
    assert figure_cells(my_groups_as(lead)) == ["6", NOT_YET]
    assert not GroupFigureSnapshot.objects.exists()


def test_when_two_requests_store_at_once_both_show_the_first_copy(programme, monkeypatch) -> None:
    """Another request stores the figures between this one's reading and its storing: its copy is the one shown."""
    group, members, lead = group_of_six(programme)
    round = round_answered_by(programme, members, answered=5)
    services.round_close(round=round)
    read_scores = selectors._group_scores

    def the_other_request_is_first(pairs):
        found = read_scores(pairs)
        GroupFigureSnapshot.objects.create(group=group, round=round, answered=5, who5_mean=52.0, peer_support_mean=2.6)
        return found

    monkeypatch.setattr(selectors, "_group_scores", the_other_request_is_first)

    assert figure_cells(my_groups_as(lead)) == ["5", "52", "2.6"]
    assert GroupFigureSnapshot.objects.filter(group=group, round=round).count() == 1


# --- a fixed number of queries however many groups and rounds --------------------------------------------------


def facilitator_with(groups: int, rounds: int):
    """A facilitator leading ``groups`` groups of six in a programme of ``rounds`` closed rounds, each answered by five
    of every group (so every group has means in every round)."""
    programme = make_programme()
    lead = make_staff(programme.organisation, Role.FACILITATOR)
    everyone = []
    for _ in range(groups):
        group = make_group(programme, members=6, lead=lead)
        members = [m.participant for m in group.memberships.order_by("id")]
        for member in members:
            consent_record(participant=member, item=ConsentItem.WELLBEING_QUESTIONNAIRE, given=True, actor=None)
        everyone.append(members)
    for _ in range(rounds):
        round = round_answered_by(programme, [m for members in everyone for m in members], answered=0)
        for members in everyone:
            for n, member in enumerate(members[:5]):
                services.round_answer(
                    invitation=round.invitations.get(participant=member),
                    raw=answers(who5=WHO5[n], peer=PEER[n]),
                    language="en",
                )
        services.round_close(round=round)
    return lead


def page_queries(user) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        text = my_groups_as(user)
    return len(queries), text


def test_my_groups_takes_as_many_queries_for_many_groups_and_rounds_as_for_one() -> None:
    one = facilitator_with(groups=1, rounds=1)
    many = facilitator_with(groups=3, rounds=3)

    # The first look stores the figures (answers are read then), the next ones only read the stored copies.
    first_one, _ = page_queries(one)
    first_many, text = page_queries(many)
    cells = [re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", text, re.S)]
    assert cells == ["5", "64", "3.2"] * 9  # three groups, each with its three rounds
    assert GroupFigureSnapshot.objects.count() == 1 + 9
    again_one, _ = page_queries(one)
    again_many, _ = page_queries(many)

    assert first_many == first_one, f"{first_many} queries for 3 groups × 3 rounds, {first_one} for 1 × 1"
    assert again_many == again_one, f"{again_many} queries for 3 groups × 3 rounds, {again_one} for 1 × 1"
    assert again_one < first_one
