"""Forming groups in Chromium: the coordinator runs the optimiser, moves a person with the keyboard, sees the
warning when a group gets too big, moves them back and accepts; axe-core on the hub and the proposal page."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from kollega.accounts.services import sign_in_link_make
from kollega.core.models import Participant, Programme, Role, Status
from kollega.grouping.models import Group, Proposal, ProposalState
from kollega.grouping.proposals import proposal_create
from tests.browser.conftest import assert_accessible, axe, browser_type_launch_args  # noqa: F401
from tests.factories import make_organisation, make_participant, make_programme, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

THEMES = ["goals", "work-and-time", "operating-environment", "networks", "recovery", "pricing-sales"]


def _ten_in_the_morning(programme: Programme) -> None:
    morning = programme.time_slots.get(key="morning")
    rng = random.Random(5)
    for _ in range(10):
        ranking = THEMES[:]
        rng.shuffle(ranking)
        make_participant(
            programme,
            Status.ACCEPTED,
            time_slots=[morning],
            industry=rng.choice("MMSGJNRQ"),
            years_in_business=rng.randint(0, 20),
            theme_ranking=ranking[:4],
        )


def test_run_move_with_the_keyboard_see_the_warning_and_accept(
    page: Page,
    live_server,
    assert_accessible,  # noqa: F811
) -> None:
    organisation = make_organisation("Järvikylän Yrityspalvelut")
    coordinator = make_staff(organisation, Role.COORDINATOR)
    programme = make_programme(organisation, group_size_min=3, group_size_max=5)
    _ten_in_the_morning(programme)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + sign_in_link_make(user=coordinator))
    page.goto(live_server.url + reverse("core:programme_detail", args=[programme.pk]))
    page.get_by_role("link", name="Forming groups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forming groups")
    expect(page.get_by_text("10 accepted applicants are waiting for a group.")).to_be_visible()
    assert_accessible(page)

    # Run the optimiser with a short time limit and wait for its answer.
    page.get_by_label("Time limit in seconds").fill("2")
    page.get_by_role("button", name="Propose groups").click()
    expect(page.get_by_role("heading", name="Result")).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Proposal 1")
    assert_accessible(page)
    proposal = Proposal.objects.get(programme=programme)
    assert proposal.state == ProposalState.DONE
    first, second = proposal.groups
    person = Participant.objects.get(
        pk=next(int(k) for k, v in sorted(proposal.assignment.items()) if v == second["key"])
    )
    name = person.display_name

    # Move one person to the other group with the keyboard: focus the select, choose, press the button.
    select = page.get_by_label(f"Move to… – {name}")
    select.focus()
    select.select_option(value=first["key"])
    page.get_by_role("button", name=f"Move {name}", exact=True).focus()
    page.keyboard.press("Enter")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(f"{first['name']} has 6 members; at most 5 are allowed.")
    expect(page.locator("#group-1")).to_contain_text("Needs attention:")
    expect(page.get_by_role("status").first).to_contain_text(f"{name} moved to {first['name']}.")
    assert_accessible(page)

    # And back again: the warning goes.
    select = page.get_by_label(f"Move to… – {name}")
    select.focus()
    select.select_option(value=second["key"])
    page.get_by_role("button", name=f"Move {name}", exact=True).focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text(f"{name} moved to {second['name']}.")).to_be_visible()
    expect(page.get_by_text("These groups break the rules")).to_have_count(0)

    # Accept: the groups are created with the prefilled names, weekdays and dates.
    page.get_by_role("link", name="Accept these groups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept the groups")
    assert_accessible(page)
    page.get_by_role("button", name="Create the groups").click()
    expect(page.get_by_text("The groups were created: 10 people are now in 2 groups.")).to_be_visible()
    assert sorted(Group.objects.filter(programme=programme).values_list("name", flat=True)) == sorted(
        [first["name"], second["name"]]
    )
    assert not Participant.objects.filter(programme=programme, status=Status.ACCEPTED).exists()

    # A new run shows its progress while the optimiser works.
    waiting = proposal_create(programme=programme, actor=coordinator, time_limit=30, run=False)
    page.goto(live_server.url + reverse("proposals:detail", args=[programme.pk, waiting.number]))
    expect(page.get_by_text("Working out the groups… (up to 30 seconds)")).to_be_visible()
    expect(page.get_by_label("of at most 30 seconds")).to_be_visible()
    assert_accessible(page)


def test_dragging_a_person_onto_another_group_moves_them(
    page: Page,
    live_server,
    assert_accessible,  # noqa: F811
) -> None:
    organisation = make_organisation("Järvikylän Yrityspalvelut")
    coordinator = make_staff(organisation, Role.COORDINATOR)
    programme = make_programme(organisation, group_size_min=3, group_size_max=5)
    _ten_in_the_morning(programme)
    page.goto(live_server.url + sign_in_link_make(user=coordinator))
    page.goto(live_server.url + reverse("proposals:hub", args=[programme.pk]))
    page.get_by_label("Time limit in seconds").fill("1")
    page.get_by_role("button", name="Propose groups").click()
    expect(page.get_by_role("heading", name="Result")).to_be_visible(timeout=30_000)
    proposal = Proposal.objects.get(programme=programme)
    first, second = proposal.groups
    person = next(int(k) for k, v in sorted(proposal.assignment.items()) if v == second["key"])
    name = Participant.objects.get(pk=person).display_name

    page.evaluate("window.stillTheSamePage = true")
    page.locator(f"#person-{person}").drag_to(page.locator("#group-1"))
    # The groups are replaced in place (the page is not loaded again) and the result is read out.
    expect(page.locator("#proposal-announce")).to_have_text(f"{name} moved to {first['name']}.")
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.locator("#group-1")).to_contain_text(name)
    expect(page.get_by_role("alert")).to_contain_text("has 6 members; at most 5 are allowed.")
    proposal.refresh_from_db()
    assert proposal.assignment[str(person)] == first["key"]
    assert_accessible(page)
    # On a phone the groups stack and nothing is wider than the screen.
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
    page.goto(live_server.url + reverse("proposals:hub", args=[programme.pk]))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert_accessible(page)
