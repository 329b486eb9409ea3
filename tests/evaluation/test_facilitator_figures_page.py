"""The facilitator's "My groups" page shows the group's well-being means: only for a closed round that at least
five members answered, otherwise only how many answered; never anyone's own answers, never another group's."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kollega.core.models import ConsentItem, Programme, Role
from kollega.core.services import consent_record
from kollega.evaluation import services
from kollega.evaluation.models import QuestionnaireRound, RoundKind
from kollega.grouping.models import Group
from tests.evaluation.conftest import answers
from tests.factories import make_group, make_staff

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
