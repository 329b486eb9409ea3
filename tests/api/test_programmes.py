"""Programmes through the API: list, create from a template, read, change."""

from __future__ import annotations

from datetime import datetime

from kollega.accounts.models import User
from kollega.core.models import AuditEntry, Organisation, Programme

from .conftest import ApiClient


def test_list_shows_the_programmes_of_organisations_i_coordinate(
    api: ApiClient, programme: Programme, other_programme: Programme
) -> None:
    response = api.get("/programmes")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [p["id"] for p in body["items"]] == [programme.pk]
    item = body["items"][0]
    assert item["title"] == {"fi": "Kevään vertaisryhmät", "sv": "", "en": "Spring peer groups"}
    assert item["organisation"]["slug"] == programme.organisation.slug
    assert item["settings"]["meeting_count"] == 5
    assert item["participant_count"] == 0


def test_list_pages(api: ApiClient, org: Organisation, coordinator: User) -> None:
    from kollega.core.services import programme_create_from_template

    for n in range(3):
        programme_create_from_template(organisation=org, title={"en": f"Round {n}"})

    first = api.get("/programmes", {"limit": 2}).json()
    rest = api.get("/programmes", {"limit": 2, "offset": 2}).json()

    assert first["count"] == rest["count"] == 3
    assert len(first["items"]) == 2
    assert len(rest["items"]) == 1
    assert {p["id"] for p in first["items"]}.isdisjoint({p["id"] for p in rest["items"]})


def test_create_from_the_default_template_by_organisation_slug(api: ApiClient, org: Organisation) -> None:
    response = api.post("/programmes", {"organisation": org.slug, "title": {"fi": "Syksy", "en": "Autumn"}})

    assert response.status_code == 201, response.content
    body = response.json()
    programme = Programme.objects.get(pk=body["id"])
    assert programme.organisation == org
    assert programme.template_key == "peer_group_model"
    assert body["settings"]["meeting_interval_days"] == 21
    assert [s["key"] for s in body["time_slots"]] == ["morning", "afternoon"]
    assert body["time_slots"][0]["start"] == "09:00"
    assert len(body["themes"]) == 7
    assert body["themes"][0]["position_rule"] == "first"
    assert body["themes"][0]["rankable"] is False
    assert AuditEntry.objects.filter(action="core.programme.created", subject=f"core.programme:{programme.pk}").exists()


def test_create_by_organisation_id_with_setting_overrides(api: ApiClient, org: Organisation) -> None:
    response = api.post(
        "/programmes",
        {
            "organisation": org.pk,
            "title": {"en": "Short course"},
            "slug": "short-course",
            "settings": {
                "meeting_count": 3,
                "group_size_max": 8,
                "registration_opens_at": "2026-01-05T09:00:00+02:00",
                "registration_closes_at": "2026-02-01T16:00:00+02:00",
                "capacity": 24,
            },
        },
    )

    assert response.status_code == 201, response.content
    programme = Programme.objects.get(pk=response.json()["id"])
    assert (programme.meeting_count, programme.group_size_max, programme.capacity) == (3, 8, 24)
    assert programme.meeting_interval_days == 21
    assert programme.slug == "short-course"
    opens = response.json()["settings"]["registration_opens_at"]
    assert opens == "2026-01-05T09:00:00+02:00"
    assert datetime.fromisoformat(opens) == programme.registration_opens_at


def test_create_refuses_what_the_service_refuses(api: ApiClient, org: Organisation) -> None:
    response = api.post(
        "/programmes",
        {"organisation": org.slug, "title": {"en": "X"}, "settings": {"group_size_min": 8, "group_size_max": 6}},
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == {"group_size_max": ["The largest group cannot be smaller than the smallest."]}
    assert not Programme.objects.filter(organisation=org).exists()


def test_create_with_an_unknown_template(api: ApiClient, org: Organisation) -> None:
    response = api.post("/programmes", {"organisation": org.slug, "title": {"en": "X"}, "template_key": "nope"})
    assert response.status_code == 422
    assert "template_key" in response.json()["errors"]


def test_request_errors_are_per_field_and_in_the_language_asked_for(api: ApiClient, org: Organisation) -> None:
    body = {"organisation": org.slug, "settings": {"meeting_count": "five", "colour": "red"}}

    english = api.post("/programmes", body, language="en").json()
    finnish = api.post("/programmes", body, language="fi").json()
    swedish = api.post("/programmes", body, language="sv").json()

    assert english["errors"]["title"] == ["This field is required."]
    assert english["errors"]["settings.meeting_count"] == ["Enter a whole number."]
    assert "settings.colour" in english["errors"]
    assert finnish["errors"]["title"] == ["Tämä kenttä on pakollinen."]
    assert finnish["errors"]["settings.meeting_count"] != english["errors"]["settings.meeting_count"]
    assert swedish["errors"]["title"] not in (english["errors"]["title"], finnish["errors"]["title"])


def test_times_without_an_offset_are_refused(api: ApiClient, org: Organisation) -> None:
    response = api.post(
        "/programmes",
        {"organisation": org.slug, "title": {"en": "X"}, "settings": {"registration_opens_at": "2026-01-05T09:00"}},
    )
    assert response.status_code == 422
    assert "settings.registration_opens_at" in response.json()["errors"]


def test_malformed_json_is_a_clear_error(api: ApiClient) -> None:
    response = api.client.post(
        "/api/v1/programmes",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON.", "code": "bad_request", "errors": {}}


def test_read_has_time_slots_themes_and_counts(api: ApiClient, programme: Programme) -> None:
    response = api.get(f"/programmes/{programme.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == programme.pk
    assert body["slug"] == programme.slug
    assert body["themes"][0]["key"] == "getting-to-know"
    assert body["themes"][0]["title"]["sv"].startswith("Att lära känna")
    assert body["time_slots"][1]["name"] == {"fi": "Iltapäivä", "sv": "Eftermiddag", "en": "Afternoon"}
    assert body["status_counts"]["registered"] == 0
    assert body["created_at"].endswith(("+02:00", "+03:00"))


def test_patch_changes_only_what_it_names(api: ApiClient, programme: Programme) -> None:
    response = api.patch(
        f"/programmes/{programme.pk}",
        {"title": {"sv": "Vårens kamratgrupper", "en": ""}, "slug": "Kevät 2026", "settings": {"meeting_count": 6}},
    )

    assert response.status_code == 200, response.content
    programme.refresh_from_db()
    assert programme.title == {"fi": "Kevään vertaisryhmät", "sv": "Vårens kamratgrupper"}
    assert programme.slug == "kevat-2026"
    assert programme.meeting_count == 6
    assert programme.meeting_length_minutes == 120
    assert response.json()["title"] == {"fi": "Kevään vertaisryhmät", "sv": "Vårens kamratgrupper", "en": ""}
    assert AuditEntry.objects.filter(action="core.programme.updated").exists()


def test_patch_can_clear_a_nullable_setting(api: ApiClient, programme: Programme) -> None:
    api.patch(f"/programmes/{programme.pk}", {"settings": {"capacity": 30}})
    programme.refresh_from_db()
    assert programme.capacity == 30

    response = api.patch(f"/programmes/{programme.pk}", {"settings": {"capacity": None}})

    assert response.status_code == 200
    programme.refresh_from_db()
    assert programme.capacity is None


def test_patch_refused_changes_nothing(api: ApiClient, programme: Programme) -> None:
    response = api.patch(
        f"/programmes/{programme.pk}", {"title": {"fi": "", "en": ""}, "settings": {"meeting_count": 9}}
    )

    assert response.status_code == 422
    assert "title" in response.json()["errors"]
    programme.refresh_from_db()
    assert programme.meeting_count == 5
    assert programme.title["fi"] == "Kevään vertaisryhmät"


def test_patch_slug_taken(api: ApiClient, programme: Programme, org: Organisation) -> None:
    from kollega.core.services import programme_create_from_template

    programme_create_from_template(organisation=org, title={"en": "Taken"}, slug="taken")

    response = api.patch(f"/programmes/{programme.pk}", {"slug": "taken"})

    assert response.status_code == 422
    assert response.json()["errors"]["slug"] == ["Another programme already uses this address."]


def test_negative_numbers_are_refused_before_the_database(api: ApiClient, programme: Programme) -> None:
    response = api.patch(f"/programmes/{programme.pk}", {"settings": {"reminder_lead_hours": -1}}, language="fi")
    assert response.status_code == 422
    assert response.json()["errors"]["settings.reminder_lead_hours"] == ["Arvon on oltava vähintään 0."]


# --- other organisations and facilitators ------------------------------------------


def test_another_organisations_programme_does_not_exist_for_me(
    api: ApiClient, other_programme: Programme, other_org: Organisation
) -> None:
    missing = api.get("/programmes/999999")
    foreign = api.get(f"/programmes/{other_programme.pk}")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert api.patch(f"/programmes/{other_programme.pk}", {"slug": "mine"}).status_code == 404
    created = api.post("/programmes", {"organisation": other_org.slug, "title": {"en": "Mine"}})
    assert created.status_code == 404
    assert created.json() == api.post("/programmes", {"organisation": "no-such-org", "title": {"en": "x"}}).json()
    other_programme.refresh_from_db()
    assert other_programme.slug != "mine"
    assert Programme.objects.filter(organisation=other_org).count() == 1


def test_facilitator_sees_no_programmes_and_may_not_write(
    facilitator_api: ApiClient, programme: Programme, org: Organisation
) -> None:
    assert facilitator_api.get("/programmes").json()["count"] == 0

    read = facilitator_api.get(f"/programmes/{programme.pk}")
    write = facilitator_api.patch(f"/programmes/{programme.pk}", {"slug": "changed"})
    create = facilitator_api.post("/programmes", {"organisation": org.slug, "title": {"en": "Mine"}})

    assert read.status_code == write.status_code == create.status_code == 403
    assert write.json()["code"] == "forbidden"
    programme.refresh_from_db()
    assert programme.slug != "changed"
    assert Programme.objects.filter(organisation=org).count() == 1
