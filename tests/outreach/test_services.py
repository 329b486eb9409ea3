"""The programme page's texts, publishing and the outreach channels."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from kollega.core.models import AuditEntry, Participant
from kollega.outreach import selectors, services
from kollega.outreach.models import PAGE_TEXT_FIELDS, Channel, ChannelKind, ProgrammePage
from kollega.recruitment.models import Registration
from tests.factories import make_organisation, make_participant, make_programme, make_staff

pytestmark = pytest.mark.django_db


def register_through(channel: Channel, count: int = 1) -> list[Participant]:
    people = [make_participant(channel.programme) for _ in range(count)]
    for person in people:
        Registration.objects.create(participant=person, channel=channel)
    return people


# --- the page ---------------------------------------------------------------


def test_a_new_page_is_seeded_from_the_programme_in_its_languages() -> None:
    programme = make_programme(languages=["fi", "en"], meeting_count=5, meeting_length_minutes=120)
    page = services.programme_page_get_or_create(programme=programme)
    assert page.commitment["en"].startswith("5 online meetings of 2 hours, every 3 weeks.")
    assert set(page.commitment) == {"fi", "en"}  # only the programme's languages
    assert page.cost["en"] == "Free of charge."
    assert "The meeting dates are agreed when the groups are formed." in page.dates["en"]
    for field in PAGE_TEXT_FIELDS:
        if field != "privacy_notice":
            assert page.text(field, "en"), field
    # The privacy notice is the organisation's to write: publishing waits for it.
    assert page.privacy_notice == {}
    assert not page.is_published
    # Asking again gives the same page, unchanged.
    assert services.programme_page_get_or_create(programme=programme).pk == page.pk
    assert ProgrammePage.objects.filter(programme=programme).count() == 1
    assert AuditEntry.objects.filter(action="outreach.page.created").count() == 1


def test_seeded_commitment_follows_other_settings() -> None:
    programme = make_programme(meeting_count=3, meeting_length_minutes=90, meeting_interval_days=10)
    page = services.programme_page_get_or_create(programme=programme)
    assert page.commitment["en"].startswith("3 online meetings of 90 minutes, every 10 days.")


def test_page_update_cleans_texts_and_refuses_bad_input() -> None:
    programme = make_programme()
    coordinator = make_staff(programme.organisation)
    page = services.programme_page_update(
        programme=programme,
        actor=coordinator,
        summary={"fi": "  Ryhmä yrittäjille  ", "sv": "", "en": "A group\r\nfor entrepreneurs"},
    )
    assert page.summary == {"fi": "Ryhmä yrittäjille", "en": "A group\nfor entrepreneurs"}
    entry = AuditEntry.objects.get(action="outreach.page.updated")
    assert entry.actor == coordinator and entry.data == {"fields": ["summary"]}
    bad_inputs = [
        {"summary": {"xx": "text"}},
        {"summary": "not per language"},
        {"summary": {"fi": 12}},
        {"cost": {"fi": "x" * 5001}},
        {"cost": {"fi": "bell\x07"}},
    ]
    for texts in bad_inputs:
        with pytest.raises(ValidationError) as caught:
            services.programme_page_update(programme=programme, actor=coordinator, **texts)
        assert set(caught.value.message_dict) == set(texts)
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.programme_page_update(programme=programme, actor=coordinator, published_at={"fi": "x"})
    page.refresh_from_db()
    assert page.summary == {"fi": "Ryhmä yrittäjille", "en": "A group\nfor entrepreneurs"}
    assert page.cost["en"] == "Free of charge."


def test_publishing_needs_the_privacy_notice() -> None:
    programme = make_programme()
    with pytest.raises(ValidationError) as caught:
        services.programme_page_publish(programme=programme, actor=None)
    assert "privacy notice" in caught.value.messages[0]
    assert not ProgrammePage.objects.filter(programme=programme, published_at__isnull=False).exists()
    services.programme_page_update(programme=programme, actor=None, privacy_notice={"fi": "Tietosuojaseloste …"})
    page = services.programme_page_publish(programme=programme, actor=None)
    assert page.is_published
    first = page.published_at
    # Publishing again changes nothing; the notice cannot be emptied while published.
    assert services.programme_page_publish(programme=programme, actor=None).published_at == first
    with pytest.raises(ValidationError) as caught:
        services.programme_page_update(programme=programme, actor=None, privacy_notice={"fi": " "})
    assert "Unpublish" in caught.value.message_dict["privacy_notice"][0]
    assert not services.programme_page_unpublish(programme=programme, actor=None).is_published
    actions = list(AuditEntry.objects.filter(action__startswith="outreach.page.p").values_list("action", flat=True))
    assert actions == ["outreach.page.published"]
    assert AuditEntry.objects.filter(action="outreach.page.unpublished").count() == 1


def test_publishing_needs_a_title() -> None:
    programme = make_programme()
    services.programme_page_update(programme=programme, actor=None, privacy_notice={"en": "Notice"})
    programme.title = {}
    programme.save(update_fields=["title"])
    with pytest.raises(ValidationError, match="title"):
        services.programme_page_publish(programme=programme, actor=None)


# --- channels ---------------------------------------------------------------


def test_channel_key_is_made_from_the_name_and_must_be_unique() -> None:
    programme = make_programme()
    channel = services.channel_create(
        programme=programme,
        name={"fi": "Yrittäjäyhdistyksen uutiskirje", "en": "Newsletter"},
        kind="newsletter",
        actor=None,
    )
    assert channel.key == "yrittajayhdistyksen-uutiskirje"
    assert channel.active and channel.position == 1
    second = services.channel_create(programme=programme, name={"en": "LinkedIn"}, kind="social_media", actor=None)
    assert second.key == "linkedin" and second.position == 2
    with pytest.raises(ValidationError) as caught:
        services.channel_create(programme=programme, name={"en": "LinkedIn"}, kind="social_media", actor=None)
    assert "already has the link tag “linkedin”" in caught.value.message_dict["key"][0]
    with pytest.raises(ValidationError) as caught:
        services.channel_create(
            programme=programme, name={"en": "Ads"}, kind="social_media", key="LinkedIn", actor=None
        )
    assert "key" in caught.value.message_dict
    # Another programme may use the same tag.
    assert services.channel_create(programme=make_programme(), name={"en": "LinkedIn"}, kind="other", actor=None)
    assert AuditEntry.objects.filter(action="outreach.channel.created").count() == 3


@pytest.mark.parametrize(
    ("fields", "error_on"),
    [
        ({"name": {}, "kind": "other"}, "name"),
        ({"name": {"en": " "}, "kind": "other"}, "name"),
        ({"name": {"en": "x" * 101}, "kind": "other"}, "name"),
        ({"name": {"en": "Two\nlines"}, "kind": "other"}, "name"),
        ({"name": {"en": "Fine"}, "kind": "carrier pigeon"}, "kind"),
        ({"name": {"en": "Fine"}, "kind": "other", "key": "!!!"}, "key"),
        ({"name": {"en": "Other"}, "kind": "other"}, "key"),  # "other" is the last option of "heard from"
        ({"name": {"en": "???"}, "kind": "other"}, "key"),
    ],
)
def test_channel_create_refuses_bad_input(fields, error_on) -> None:
    programme = make_programme()
    with pytest.raises(ValidationError) as caught:
        services.channel_create(programme=programme, actor=None, **fields)
    assert error_on in caught.value.message_dict
    assert not Channel.objects.filter(programme=programme).exists()


def test_channel_update_and_the_key_of_a_used_channel() -> None:
    programme = make_programme()
    channel = services.channel_create(programme=programme, name={"en": "Partners"}, kind="partner_network", actor=None)
    channel = services.channel_update(channel=channel, actor=None, key="partner-network", kind=ChannelKind.OTHER)
    assert channel.key == "partner-network" and channel.kind == "other"
    register_through(channel)
    with pytest.raises(ValidationError) as caught:
        services.channel_update(channel=channel, actor=None, key="partners")
    assert "links already shared must keep working" in caught.value.message_dict["key"][0]
    channel = services.channel_update(channel=channel, actor=None, name={"fi": "Kumppanit"}, active=False)
    channel.refresh_from_db()
    assert channel.key == "partner-network" and channel.name == {"fi": "Kumppanit"} and not channel.active
    with pytest.raises(ValidationError, match="cannot be changed"):
        services.channel_update(channel=channel, actor=None, programme=make_programme())
    with pytest.raises(ValidationError):
        services.channel_update(channel=channel, actor=None, active="yes")
    assert AuditEntry.objects.filter(action="outreach.channel.updated").count() == 2


def test_a_channel_that_brought_registrations_cannot_be_deleted() -> None:
    programme = make_programme()
    used = services.channel_create(programme=programme, name={"en": "Press"}, kind="press_release", actor=None)
    unused = services.channel_create(programme=programme, name={"en": "Radio"}, kind="other", actor=None)
    register_through(used, 2)
    with pytest.raises(ValidationError) as caught:
        services.channel_delete(channel=used, actor=None)
    assert "has brought 2 registrations" in caught.value.messages[0]
    assert "Take it out of use" in caught.value.messages[0]
    assert Channel.objects.filter(pk=used.pk).exists()
    services.channel_delete(channel=unused, actor=None)
    assert not Channel.objects.filter(pk=unused.pk).exists()
    assert AuditEntry.objects.filter(action="outreach.channel.deleted").count() == 1


# --- selectors --------------------------------------------------------------


def test_channel_list_counts_registrations_in_one_query(django_assert_num_queries) -> None:
    programme = make_programme()
    a = services.channel_create(programme=programme, name={"en": "A"}, kind="other", actor=None)
    b = services.channel_create(programme=programme, name={"en": "B"}, kind="other", actor=None)
    c = services.channel_create(programme=programme, name={"en": "C"}, kind="other", actor=None)
    services.channel_update(channel=c, actor=None, active=False)
    register_through(a, 3)
    register_through(b, 1)
    with django_assert_num_queries(1):
        channels = selectors.channel_list(programme=programme)
        counts = {ch.key: ch.registration_count for ch in channels}  # type: ignore[attr-defined]
    assert counts == {"a": 3, "b": 1, "c": 0}
    assert [ch.key for ch in selectors.channel_list(programme=programme, include_inactive=False)] == ["a", "b"]


@override_settings(KOLLEGA_BASE_URL="https://kollega.example.fi")
def test_share_url_and_public_lookup() -> None:
    org = make_organisation("Yrittäjät ry")
    programme = make_programme(org)
    channel = services.channel_create(programme=programme, name={"en": "Newsletter"}, kind="newsletter", actor=None)
    base = f"https://kollega.example.fi/p/{org.slug}/{programme.slug}/"
    assert selectors.share_url(programme=programme) == base
    assert selectors.share_url(programme=programme, channel=channel) == base + "?c=newsletter"
    found = selectors.programme_public_get(organisation_slug=org.slug, programme_slug=programme.slug)
    assert found == programme
    assert selectors.programme_public_get(organisation_slug="nobody", programme_slug=programme.slug) is None
    # Another organisation's programme is not found under this organisation's address.
    other = make_programme(make_organisation("Muut ry"), slug="toinen")
    assert selectors.programme_public_get(organisation_slug=org.slug, programme_slug=other.slug) is None


def test_social_post_fits_280_characters_whatever_the_texts() -> None:
    link = "https://kollega.example.fi/p/yrittajat-ry/kevaan-vertaisryhmat/?c=linkedin"
    post = selectors.social_post(title="Ryhmä " * 80, summary="Tule mukaan " * 80, link=link, call="Ilmoittaudu:")
    assert len(post) <= 280 and post.endswith(f"Ilmoittaudu: {link}") and "…" in post
    short = selectors.social_post(title="Peer groups", summary="Meet others.", link=link, call="Register:")
    assert short == f"Peer groups: Meet others. Register: {link}"
    assert len(selectors.social_post(title="T", summary="", link="https://x/" + "a" * 400, call="Go:")) <= 280


def test_programme_detail_links_to_the_outreach_pages() -> None:
    from django.test import Client
    from django.urls import reverse

    programme = make_programme()
    client = Client()
    client.force_login(make_staff(programme.organisation))
    page = client.get(reverse("core:programme_detail", args=[programme.pk])).text
    assert "Outreach and registration" in page and "Not published" in page
    for url in (
        reverse("outreach:page", args=[programme.pk]),
        reverse("outreach:channels", args=[programme.pk]),
        reverse("outreach:press_kit", args=[programme.pk]),
        reverse("surveys:registration_form", args=[programme.pk]),
        f"/p/{programme.organisation.slug}/{programme.slug}/",
    ):
        assert f'href="{url}"' in page, url
    services.programme_page_update(programme=programme, actor=None, privacy_notice={"fi": "Seloste"})
    services.programme_page_publish(programme=programme, actor=None)
    assert "Open the public page" in client.get(reverse("core:programme_detail", args=[programme.pk])).text
