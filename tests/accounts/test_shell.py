"""The page shell: landmarks, navigation per role, language switch, messages, styles served locally."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from kollega.core.models import Role
from tests.factories import make_organisation, make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db


def _nav(page: str) -> str:
    match = re.search(r'<nav class="site-nav".*?</nav>', page, re.S)
    return match.group(0) if match else ""


def test_every_page_has_lang_a_skip_link_and_one_main(client):
    page = client.get(reverse("account_login")).content.decode()
    assert re.search(r'<html lang="(fi|sv|en)">', page)
    assert '<a class="skip-link" href="#main">' in page
    assert page.count("<main ") == 1 and '<main id="main"' in page
    assert "<footer" in page


def test_nothing_is_loaded_from_another_site(client):
    coordinator = make_staff(make_organisation(), Role.COORDINATOR)
    client.force_login(coordinator)
    page = client.get(reverse("core:programme_list")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in page
    assert finders.find("django_htmx/htmx-2.min.js")
    assert finders.find("kollega/kollega.css")


def test_a_coordinator_sees_the_coordinator_menu_and_the_organisation(client):
    organisation = make_organisation("Seudun Yrityspalvelut")
    coordinator = make_staff(organisation, Role.COORDINATOR)
    client.force_login(coordinator)
    page = client.get(reverse("core:programme_list")).content.decode()
    nav = _nav(page)
    assert 'aria-current="page">Programmes</a>' in nav
    assert f'href="{reverse("accounts:staff", args=[organisation.slug])}"' in nav
    assert f'href="{reverse("notifications:outbox")}"' in nav
    assert f'href="{reverse("api_tokens:list")}"' in nav
    assert "My programme" not in nav
    assert '<span class="brand-organisation">Seudun Yrityspalvelut</span>' in page
    assert "Sign-in security" in page


def test_a_facilitator_sees_their_groups_only(client):
    facilitator = make_staff(make_organisation(), Role.FACILITATOR)
    client.force_login(facilitator)
    nav = _nav(client.get(reverse("grouping:my_groups")).content.decode())
    assert "My groups" in nav
    assert "Programmes" not in nav and "Staff" not in nav and "Outbox" not in nav and "API tokens" not in nav


def test_a_participant_sees_their_programme_and_whom_to_ask(client):
    organisation = make_organisation("Apuorganisaatio")
    organisation.support_email = "tuki@example.org"
    organisation.save(update_fields=["support_email"])
    participant = make_participant(make_programme(organisation))
    client.force_login(participant.user)
    page = client.get(reverse("core:participant_home")).content.decode()
    nav = _nav(page)
    assert "My programme" in nav
    assert "Programmes" not in nav and "Staff" not in nav and "Outbox" not in nav
    assert "Sign-in security" not in page
    assert 'href="mailto:tuki@example.org"' in page.split("<footer", 1)[1]


def test_a_coordinator_of_two_organisations_gets_a_staff_link_for_each(client):
    first, second = make_organisation("Alpha"), make_organisation("Beta")
    coordinator = make_staff(first, Role.COORDINATOR)
    from kollega.core.services import staff_membership_add

    staff_membership_add(organisation=second, user=coordinator, role=Role.COORDINATOR)
    client.force_login(coordinator)
    page = client.get(reverse("core:programme_list")).content.decode()
    nav = _nav(page)
    assert "Staff of Alpha" in nav and "Staff of Beta" in nav
    assert '<span class="brand-organisation">Alpha, Beta</span>' in page


def test_signed_out_there_is_no_menu_but_a_sign_in_link(client):
    page = client.get(reverse("home")).content.decode()
    assert _nav(page) == ""
    assert f'href="{reverse("account_login")}"' in page


def test_the_language_switch_works_without_javascript(client):
    page = client.get(reverse("account_login")).content.decode()
    for code, name in [("fi", "suomi"), ("sv", "svenska"), ("en", "English")]:
        assert f'name="language" value="{code}" lang="{code}"' in page
        assert f">{name}</button>" in page
    response = client.post(reverse("set_language"), {"language": "sv", "next": reverse("account_login")}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_login")
    assert '<html lang="sv">' in response.content.decode()
    assert 'value="sv" lang="sv" aria-current="true"' in response.content.decode()


def test_finnish_is_the_default_language(client, settings):
    settings.LANGUAGE_CODE = "fi"
    assert '<html lang="fi">' in client.get(reverse("account_login")).content.decode()


def test_messages_are_shown_in_the_page(client):
    participant = make_participant(make_programme())
    client.force_login(participant.user)
    response = client.post(reverse("account_logout"), follow=True)
    assert 'class="notice' in response.content.decode()
    assert 'role="status"' in response.content.decode()


def test_a_missing_page_says_what_to_do_in_the_shell(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert '<main id="main"' in page
    assert f'href="{reverse("account_login")}"' in page
