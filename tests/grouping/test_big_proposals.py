"""Big proposals: the proposal page a page of groups at a time, with a time filter and a search by name, and the
accept page that names and dates hundreds of new groups at once."""

from __future__ import annotations

import random
import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from kollega.accounts.services import sign_in_link_make
from kollega.core.models import Participant, Programme, Status
from kollega.grouping.models import Group, Proposal, ProposalState
from kollega.grouping.proposal_forms import FIRST_MEETING_LEAD, groups_digest, on_or_after
from kollega.grouping.proposals import proposal_create
from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401
from tests.factories import make_group, make_organisation, make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db

THEMES = ["goals", "work-and-time", "operating-environment", "networks", "recovery", "pricing-sales"]


def people_at(programme: Programme, slot: str, n: int, *, seed: int, names: tuple[str, ...] = ()) -> list[Participant]:
    """``n`` accepted applicants who agreed to ``slot``; the first ones get ``names``."""
    rng = random.Random(seed)
    time_slot = programme.time_slots.get(key=slot)
    people = []
    for i in range(n):
        ranking = THEMES[:]
        rng.shuffle(ranking)
        extra = {"full_name": names[i]} if i < len(names) else {}
        people.append(
            make_participant(
                programme,
                Status.ACCEPTED,
                time_slots=[time_slot],
                industry=rng.choice("MSGJNRQ"),
                years_in_business=rng.randint(0, 25),
                theme_ranking=ranking[:4],
                **extra,
            )
        )
    return people


def filled_proposal(programme: Programme, *, size: int, by_slot: dict[str, list[Participant]]) -> Proposal:
    """A finished proposal made directly: each time's people in groups of ``size``, in order ("Morning 1", …)."""
    proposal = proposal_create(programme=programme, actor=None, run=False)
    labels = {s.key: s.label for s in programme.time_slots.all()}
    groups: list[dict[str, Any]] = []
    assignment: dict[str, str] = {}
    for slot, people in by_slot.items():
        for n, start in enumerate(range(0, len(people), size), start=1):
            key = f"{slot}#{n}"
            groups.append({"key": key, "slot": slot, "name": f"{labels[slot]} {n}", "group_id": None})
            assignment.update({str(p.pk): key for p in people[start : start + size]})
    Proposal.objects.filter(pk=proposal.pk).update(
        state=ProposalState.DONE,
        status="feasible",
        gap=0.02,
        finished_at=timezone.now(),
        groups=groups,
        assignment=assignment,
        solver_assignment=dict(assignment),
    )
    proposal.refresh_from_db()
    return proposal


@pytest.fixture
def coordinator_client(client: Client) -> tuple[Client, Programme]:
    organisation = make_organisation()
    client.force_login(make_staff(organisation))
    return client, make_programme(organisation, group_size_min=3, group_size_max=4)


@pytest.fixture
def thirty_groups(coordinator_client: tuple[Client, Programme]) -> dict[str, Any]:
    """18 morning and 12 afternoon groups of three: Morning 1–18 are groups 1–18, Afternoon 1–12 groups 19–30."""
    client, programme = coordinator_client
    mornings = people_at(programme, "morning", 54, seed=1, names=("Aino Kivimäki", "Aino Lahtinen"))
    afternoons = people_at(programme, "afternoon", 36, seed=2, names=("Veikko Öhman",))
    proposal = filled_proposal(programme, size=3, by_slot={"morning": mornings, "afternoon": afternoons})
    return {"client": client, "programme": programme, "proposal": proposal, "mornings": mornings}


def detail_url(proposal: Proposal) -> str:
    return reverse("proposals:detail", args=[proposal.programme_id, proposal.number])


def group_names(html: str) -> list[str]:
    return re.findall(r'data-group-name="([^"]+)"', html)


def people_on(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'id="person-(\d+)"', html)}


def members(proposal: Proposal, key: str) -> list[int]:
    proposal.refresh_from_db()
    return sorted(int(k) for k, v in proposal.assignment.items() if v == key)


def move(client: Client, proposal: Proposal, person: int, key: str, back: str) -> Any:
    url = reverse("proposals:move", args=[proposal.programme_id, proposal.number])
    return client.post(url, {"participant": person, "group": key, "next": back})


# --- the proposal page -------------------------------------------------------------------------


def test_a_big_proposal_shows_fifteen_groups_a_page_and_every_broken_rule_at_the_top(
    thirty_groups: dict[str, Any],
) -> None:
    client, proposal = thirty_groups["client"], thirty_groups["proposal"]
    url = detail_url(proposal)
    first = client.get(url).content.decode()
    assert group_names(first) == [f"Morning {n}" for n in range(1, 16)]
    assert "Groups 1–15 of 30 (page 1 of 2)." in first
    assert people_on(first) == {pk for g in proposal.groups[:15] for pk in members(proposal, g["key"])}
    assert 'aria-label="Pages of groups"' in first and 'href="?page=2#groups-h"' in first
    assert "Find a person" in first and "All times (30 groups)" in first
    second = client.get(url + "?page=2").content.decode()
    assert group_names(second) == [*(f"Morning {n}" for n in range(16, 19)), *(f"Afternoon {n}" for n in range(1, 13))]
    assert not people_on(first) & people_on(second)
    # Someone of Afternoon 12 (page 2) moves to Afternoon 11: one group is too big, another too small.
    person = members(proposal, "afternoon#12")[0]
    move(client, proposal, person, "afternoon#11", back=url)
    first = client.get(url).content.decode()
    summary = first[
        first.index('id="proposal-warnings"') : first.index("</div>", first.index('id="proposal-warnings"'))
    ]
    # The rule broken on page 2 is listed on page 1 too, a link to the page and the group where it can be fixed.
    assert 'href="?page=2#group-30">Afternoon 12 has 2 members; at least 3 are needed.</a>' in summary
    assert "Needs attention:" not in first  # the group itself is on page 2
    second = client.get(url + "?page=2").content.decode()
    assert 'href="#group-30">Afternoon 12 has 2 members; at least 3 are needed.</a>' in second
    assert "Needs attention:" in second


def test_a_small_proposal_is_shown_whole_without_the_tools_of_a_big_one(
    coordinator_client: tuple[Client, Programme],
) -> None:
    client, programme = coordinator_client
    proposal = filled_proposal(programme, size=3, by_slot={"morning": people_at(programme, "morning", 60, seed=3)})
    html = client.get(detail_url(proposal)).content.decode()
    assert len(group_names(html)) == 20  # up to 20 groups are one page
    assert "Find a person" not in html and "Pages of groups" not in html and "Groups 1–" not in html


def test_the_groups_can_be_narrowed_to_one_time(thirty_groups: dict[str, Any]) -> None:
    client, proposal = thirty_groups["client"], thirty_groups["proposal"]
    html = client.get(detail_url(proposal) + "?slot=afternoon").content.decode()
    assert group_names(html) == [f"Afternoon {n}" for n in range(1, 13)]
    assert "Groups 1–" not in html  # twelve groups: one page
    assert '<option value="afternoon" selected>Afternoon (12 groups)</option>' in html
    assert '<option value="morning">Morning (18 groups)</option>' in html
    # The morning's 18 groups are one page too (15 and the last 3 together), and an unknown time shows all.
    assert len(group_names(client.get(detail_url(proposal) + "?slot=morning").content.decode())) == 18
    html = client.get(detail_url(proposal) + "?slot=nonsense&page=99").content.decode()
    assert "Groups 16–30 of 30 (page 2 of 2)." in html


def test_a_person_found_by_name_is_shown_on_their_groups_page(thirty_groups: dict[str, Any]) -> None:
    client, proposal = thirty_groups["client"], thirty_groups["proposal"]
    veikko = Participant.objects.get(full_name="Veikko Öhman")
    # In any case, with part of the name; the time shown is left when their group is at another time. The
    # address then names the person and ends at them, so that the browser shows them.
    response = client.get(detail_url(proposal), {"q": "  veikko  ÖHM", "slot": "morning"})
    assert response.status_code == 302
    assert response["Location"] == f"{detail_url(proposal)}?q=veikko+%C3%96HM&person={veikko.pk}#person-{veikko.pk}"
    html = client.get(response["Location"]).content.decode()
    assert "Veikko Öhman is in Afternoon 1." in html and f'href="#person-{veikko.pk}"' in html
    assert "Groups 16–30 of 30 (page 2 of 2)." in html
    item = re.search(rf'<li class="member[^"]*" id="person-{veikko.pk}"[^>]*>', html)
    assert item and "member-found" in item.group(0)
    assert 'value="veikko ÖHM"' in html  # what was typed stays in the box
    assert '<option value="" selected>All times (30 groups)</option>' in html
    # Two people match: both are listed with where they are, and the page shows the first.
    response = client.get(detail_url(proposal), {"q": "aino"}, follow=True)
    html = response.content.decode()
    assert "2 people match “aino”:" in html
    kivimaki = Participant.objects.get(full_name="Aino Kivimäki")
    lahtinen = Participant.objects.get(full_name="Aino Lahtinen")
    assert response.redirect_chain[-1][0].endswith(f"?q=aino&person={kivimaki.pk}#person-{kivimaki.pk}")
    assert f'href="?q=aino&amp;person={lahtinen.pk}#person-{lahtinen.pk}">Aino Lahtinen</a> – Morning 1' in html
    assert {kivimaki.pk, lahtinen.pk} <= people_on(html)
    # Nobody: said plainly, and the groups are shown as before.
    response = client.get(detail_url(proposal), {"q": "Zacharias", "page": "2"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nobody in this proposal is called “Zacharias”. Check the spelling, or type just a part of the name." in html
    assert "Groups 16–30 of 30 (page 2 of 2)." in html and "member-found" not in html


def test_a_move_on_page_two_returns_to_page_two_and_can_go_to_a_group_on_another_page(
    thirty_groups: dict[str, Any],
) -> None:
    client, proposal = thirty_groups["client"], thirty_groups["proposal"]
    url = detail_url(proposal)
    page_two = client.get(url + "?page=2").content.decode()
    person = members(proposal, "morning#17")[0]
    # Their "Move to…" lists the other morning groups of this page; the others are on a page of their own.
    item = re.search(rf'<li class="member[^"]*" id="person-{person}".*?</li>', page_two, re.S)
    assert item
    assert re.findall(r'<option value="([^"]+)">', item.group(0)) == ["morning#16", "morning#18"]
    assert f'<input type="hidden" name="next" value="{url}?page=2">' in item.group(0)
    link = re.search(r'<a class="button secondary" href="([^"]+)">Move to a group on another page', item.group(0))
    assert link
    choose = client.get(link.group(1).replace("&amp;", "&"))
    html = choose.content.decode()
    assert choose.status_code == 200 and "Now in Morning 17 (Morning)." in html
    assert re.findall(r'<option value="([^"]+)">', html) == [f"morning#{n}" for n in range(1, 19) if n != 17]
    assert f'<input type="hidden" name="next" value="{url}?page=2">' in html
    stranger = make_participant(make_programme(), Status.ACCEPTED)
    assert client.get(reverse("proposals:move_person", args=[proposal.programme_id, 1, stranger.pk])).status_code == 404
    response = move(client, proposal, person, "morning#1", back=f"{url}?page=2")
    assert response.status_code == 302 and response["Location"] == f"{url}?page=2"
    assert person in members(proposal, "morning#1")
    html = client.get(response["Location"]).content.decode()
    name = Participant.objects.get(pk=person).display_name
    assert f"{name} moved to Morning 1." in html and person not in people_on(html)
    # Locking returns to the same page, at the person; an address that is not this page is not followed.
    other = members(proposal, "afternoon#1")[0]
    lock = reverse("proposals:lock", args=[proposal.programme_id, proposal.number])
    response = client.post(lock, {"participant": other, "locked": "true", "next": f"{url}?page=2&slot=afternoon"})
    assert response["Location"] == f"{url}?page=2&slot=afternoon#person-{other}"
    for elsewhere in ("https://example.com/?page=2", "//example.com/", reverse("proposals:hub", args=[1]) + "?page=2"):
        response = move(client, proposal, person, "morning#2", back=elsewhere)
        assert response["Location"] == url


def test_many_people_left_out_are_listed_thirty_at_a_time(coordinator_client: tuple[Client, Programme]) -> None:
    client, programme = coordinator_client
    mornings = people_at(programme, "morning", 8, seed=10)
    # Nobody of the afternoon has a group: all 45 are left out.
    afternoons = people_at(programme, "afternoon", 45, seed=11, names=("Zorro Öberg",))
    proposal = filled_proposal(programme, size=4, by_slot={"morning": mornings})
    html = client.get(detail_url(proposal)).content.decode()
    assert len(group_names(html)) == 2 and "Find a person" in html
    assert "People 1–30 of 45." in html and 'aria-label="Pages of people left out"' in html
    assert 'href="?out=2#left-out-h"' in html
    assert len(people_on(html) & {p.pk for p in afternoons}) == 30
    assert re.search(r'<a href="#left-out-h">Not in any group: ', html)  # the rule links to the list
    # The one sorted last is found on the second page of the list.
    response = client.get(detail_url(proposal), {"q": "zorro"}, follow=True)
    html = response.content.decode()
    zorro = afternoons[0]
    assert "Zorro Öberg is left out: they are in no group." in html
    assert "People 31–45 of 45." in html and zorro.pk in people_on(html)
    item = re.search(rf'<li class="member[^"]*" id="person-{zorro.pk}".*?</li>', html, re.S)
    assert item and "No group meets at a time they agreed to." in item.group(0)


def test_two_thousand_people_are_shown_a_page_at_a_time(
    coordinator_client: tuple[Client, Programme], django_assert_max_num_queries: Any
) -> None:
    client, programme = coordinator_client
    programme.group_size_min, programme.group_size_max = 8, 12
    programme.save(update_fields=["group_size_min", "group_size_max"])
    mornings = people_at(programme, "morning", 1200, seed=4)
    afternoons = people_at(programme, "afternoon", 800, seed=5)
    proposal = filled_proposal(programme, size=12, by_slot={"morning": mornings, "afternoon": afternoons})
    assert len(proposal.groups) == 167
    with django_assert_max_num_queries(20):
        response = client.get(detail_url(proposal) + "?page=3")
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.content) < 1_000_000
    shown = people_on(html)
    assert shown == {pk for g in proposal.groups[30:45] for pk in members(proposal, g["key"])}
    assert len(shown) == 15 * 12
    assert "Groups 31–45 of 167 (page 3 of 11)." in html
    # The search finds anyone of the 2,000 and leads to their page.
    last = afternoons[-1]
    html = client.get(detail_url(proposal), {"q": last.display_name}, follow=True).content.decode()
    assert f"{last.display_name} is in Afternoon 67." in html and last.pk in people_on(html)
    assert "Groups 151–167 of 167 (page 11 of 11)." in html  # the last page takes the last 17


# --- accepting many groups ---------------------------------------------------------------------


def accept_url(proposal: Proposal) -> str:
    return reverse("proposals:accept", args=[proposal.programme_id, proposal.number])


def posted_fields(html: str) -> dict[str, Any]:
    """The accept form as the browser would post it: every named input and the chosen options."""
    form = html[html.index('<form method="post" novalidate>') :]
    data: dict[str, Any] = {}
    for tag in re.findall(r"<input[^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = re.search(r'type="([^"]+)"', tag)
        if kind and kind.group(1) == "checkbox" and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        data.setdefault(name.group(1), []).append(value.group(1) if value else "")
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        data[name] = [chosen.group(1) if chosen else ""]
    return {k: v if len(v) > 1 else v[0] for k, v in data.items()}


def test_two_hundred_and_fifty_new_groups_are_named_and_dated_all_at_once(client: Client) -> None:
    organisation = make_organisation()
    client.force_login(make_staff(organisation))
    programme = make_programme(organisation, group_size_min=2, group_size_max=3)
    mornings = people_at(programme, "morning", 300, seed=6)
    afternoons = people_at(programme, "afternoon", 200, seed=7)
    proposal = filled_proposal(programme, size=2, by_slot={"morning": mornings, "afternoon": afternoons})
    assert len(proposal.groups) == 250
    page = client.get(accept_url(proposal))
    html = page.content.decode()
    assert page.status_code == 200
    assert "All 250 new groups" in html and "Weekdays of the groups at Morning" in html
    assert "150 new groups meet at this time, spread evenly over the weekdays chosen." in html
    data = posted_fields(html)
    # A few dozen fields, far below Django's limit of 1,000 (a form per group would need 1,000 and more).
    assert len(data) < 60
    assert data["groups_digest"] == groups_digest(g["key"] for g in proposal.groups)
    today = timezone.localdate()
    assert data["all-start_from"] == (today + FIRST_MEETING_LEAD).isoformat()

    # A start for every name, mornings on Mondays only, and one group renamed and moved to a Friday.
    start = today + timedelta(days=30)
    friday = on_or_after(start, 4)
    data.update(
        {
            "all-name_start": "Kevät",
            "all-start_from": start.isoformat(),
            "all-weekdays-morning": ["0"],
            "change-0-group": "afternoon#7",
            "change-0-name": "Iltapäivän erityisryhmä",
            "change-0-start_date": friday.isoformat(),
        }
    )
    # First a name that the programme's other group has: refused, naming the group, and nothing is written.
    existing = make_group(programme)
    response = client.post(accept_url(proposal), {**data, "change-0-name": existing.name})
    html = response.content.decode()
    assert response.status_code == 400
    assert "The groups cannot be accepted yet" in html
    assert "Afternoon 7 – Name: This programme already has a group with that name." in html
    assert 'href="#id_change-0-name"' in html
    assert Group.objects.filter(programme=programme).count() == 1

    response = client.post(accept_url(proposal), data, follow=True)
    assert "The groups were created: 500 people are now in 250 groups." in response.content.decode()
    groups = {g.name: g for g in Group.objects.filter(programme=programme).exclude(pk=existing.pk)}
    assert len(groups) == 250
    assert groups["Kevät Morning 1"].weekday == 0 and groups["Kevät Morning 1"].start_date == on_or_after(start, 0)
    assert {g.weekday for name, g in groups.items() if "Morning" in name} == {0}
    # Afternoons keep the days first offered, Tuesday to Thursday and Monday, in turn.
    assert [groups[f"Kevät Afternoon {n}"].weekday for n in (1, 2, 3, 4, 5)] == [1, 2, 3, 0, 1]
    special = groups["Iltapäivän erityisryhmä"]
    assert special.weekday == 4 and special.start_date == friday and special.memberships.count() == 2
    assert not Participant.objects.filter(programme=programme, status=Status.ACCEPTED).exists()
    proposal.refresh_from_db()
    assert proposal.state == ProposalState.ACCEPTED


def test_the_page_of_many_groups_shows_its_changes_and_refuses_a_changed_proposal(
    coordinator_client: tuple[Client, Programme],
) -> None:
    client, programme = coordinator_client
    proposal = filled_proposal(programme, size=3, by_slot={"morning": people_at(programme, "morning", 66, seed=8)})
    assert len(proposal.groups) == 22
    data = posted_fields(client.get(accept_url(proposal)).content.decode())
    assert sum(1 for k in data if k.endswith("-group")) == 5
    # "Change more groups" offers more rows; "Show" shows the list as the settings make it; neither accepts.
    response = client.post(accept_url(proposal), {**data, "more": "1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert sum(1 for k in posted_fields(html) if k.endswith("-group")) == 10
    past = date.today() - timedelta(days=1)
    response = client.post(accept_url(proposal), {**data, "all-name_start": "Syksy", "show": "1"})
    assert response.status_code == 200 and "<td>Syksy Morning 22</td>" in response.content.decode()
    response = client.post(
        accept_url(proposal), {**data, "all-start_from": past.isoformat(), "all-weekdays-morning": []}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "First meetings from: The first meeting cannot be in the past" in html
    assert "Choose at least one weekday for Morning." in html
    assert 'href="#id_all-weekdays-morning"' in html
    response = client.post(accept_url(proposal), {**data, "change-1-name": "Ilman ryhmää"})
    assert "Change 2 – Group: Choose the group to change." in response.content.decode()
    assert not Group.objects.exists()
    # Someone moved people meanwhile, so that a group has nobody: the page shows the groups as they are now.
    for person in members(proposal, "morning#22"):
        proposal.assignment[str(person)] = "morning#21"
    Proposal.objects.filter(pk=proposal.pk).update(assignment=proposal.assignment)
    response = client.post(accept_url(proposal), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "The groups changed while you were filling in the form; check them again." in html
    assert "All 21 new groups" in html and not Group.objects.exists()


# --- in Chromium -------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_find_page_move_and_accept_a_big_proposal_in_the_browser(
    page: Page,
    live_server: Any,
    assert_accessible: Any,  # noqa: F811
) -> None:
    organisation = make_organisation()
    coordinator = make_staff(organisation)
    # Groups of four, three to five allowed: moving one person breaks no rule.
    programme = make_programme(organisation, group_size_min=3, group_size_max=5)
    mornings = people_at(programme, "morning", 72, seed=1, names=("Aino Kivimäki",))
    afternoons = people_at(programme, "afternoon", 48, seed=2, names=("Veikko Öhman",))
    proposal = filled_proposal(programme, size=4, by_slot={"morning": mornings, "afternoon": afternoons})
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + sign_in_link_make(user=coordinator))
    page.goto(live_server.url + detail_url(proposal))
    expect(page.get_by_text("Groups 1–15 of 30 (page 1 of 2).")).to_be_visible()
    assert_accessible(page)

    # Find a person: the page of their group opens with them in view, marked.
    page.get_by_role("textbox", name="Find a person").fill("öhman")
    page.get_by_role("button", name="Find", exact=True).click()
    expect(page.get_by_text("Veikko Öhman is in Afternoon 1.")).to_be_visible()
    veikko = Participant.objects.get(full_name="Veikko Öhman")
    item = page.locator(f"#person-{veikko.pk}")
    expect(item).to_be_in_viewport()
    expect(item).to_contain_text("found")
    assert_accessible(page)

    # Page 2 by its link, then drag a person onto another group of the page: the page stays page 2.
    page.get_by_role("navigation", name="Pages of groups").get_by_role("link", name="Page 1").click()
    expect(page.get_by_text("Groups 1–15 of 30 (page 1 of 2).")).to_be_visible()
    page.get_by_role("navigation", name="Pages of groups").get_by_role("link", name="Page 2").click()
    expect(page.get_by_text("Groups 16–30 of 30 (page 2 of 2).")).to_be_visible()
    person = members(proposal, "afternoon#2")[0]
    name = Participant.objects.get(pk=person).display_name
    page.locator(f"#person-{person}").drag_to(page.locator("[data-group-key='afternoon#1']"))
    expect(page.locator("#proposal-announce")).to_have_text(f"{name} moved to Afternoon 1.")
    expect(page.get_by_text("Groups 16–30 of 30 (page 2 of 2).")).to_be_visible()
    assert person in members(proposal, "afternoon#1")

    # With the keyboard, to a group on page 1: by the person's own page, and back to page 2.
    other = members(proposal, "morning#17")[0]
    other_name = Participant.objects.get(pk=other).display_name
    page.get_by_role("link", name=f"Move to a group on another page – {other_name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Move {other_name}")
    assert_accessible(page)
    page.get_by_label("Move to…").select_option(value="morning#1")
    page.get_by_role("button", name="Move", exact=True).press("Enter")
    expect(page.get_by_text(f"{other_name} moved to Morning 1.")).to_be_visible()
    expect(page.get_by_text("Groups 16–30 of 30 (page 2 of 2).")).to_be_visible()
    assert other in members(proposal, "morning#1")

    # On a phone nothing is wider than the screen.
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)

    # Accept the 30 groups with one set of settings.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + accept_url(proposal))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept the groups")
    expect(page.get_by_text("All 30 new groups")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Start every name with").fill("Kevät")
    page.get_by_role("button", name="Show the groups with these settings").click()
    expect(page.get_by_role("cell", name="Kevät Afternoon 12", exact=True)).to_be_visible()
    page.get_by_role("button", name="Create the groups").click()
    expect(page.get_by_text("The groups were created: 120 people are now in 30 groups.")).to_be_visible()
    assert Group.objects.filter(programme=programme, name__startswith="Kevät ").count() == 30


def test_late_joiners_into_many_existing_groups_need_no_settings(coordinator_client: tuple[Client, Programme]) -> None:
    client, programme = coordinator_client
    existing = [make_group(programme, members=2) for _ in range(21)]
    late = people_at(programme, programme.time_slots.first().key, 21, seed=9)  # type: ignore[union-attr]
    proposal = proposal_create(programme=programme, actor=None, late_joiners=True, run=False)
    Proposal.objects.filter(pk=proposal.pk).update(
        state=ProposalState.DONE,
        status="feasible",
        groups=[{"key": f"g{g.pk}", "slot": g.time_slot.key, "name": g.name, "group_id": g.pk} for g in existing],
        assignment={str(p.pk): f"g{g.pk}" for p, g in zip(late, existing, strict=True)},
    )
    html = client.get(accept_url(proposal)).content.decode()
    assert "Start every name with" not in html and html.count(" person joins ") == 21
    response = client.post(accept_url(proposal), posted_fields(html), follow=True)
    assert "21 people joined existing groups." in response.content.decode()
    assert all(g.memberships.count() == 3 for g in existing)
