"""Review dates: the policy (default, per partner, per service type, shortest wins), the stored
due date kept in step, the words lists show, the assurer's overdue list (who may see it, in what
order, at constant queries), and stale services leaving the open feed and coming back.

Time is frozen: `timezone.now` answers TODAY at noon (see `frozen`)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditAction, AuditEvent, ServiceAllocation
from accounts.services import allocation_recompute_all, allocation_recompute_service
from directory.models import Service, ServiceStatus
from publish.models import Feed, PublishedService
from publish.services import services_publish
from tests.accounts.matrix import World, build_world
from tests.accounts.test_stale_forms import _loaded_version
from tests.auth import sign_in
from tests.factories import (
    PartnerFactory,
    ServiceFactory,
    ServiceTypeAttributeFactory,
    TaxonomyTermFactory,
)
from workflow import review_services, reviews
from workflow import services as ws
from workflow.models import ReviewInterval, ServiceReview

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


@pytest.fixture
def frozen(monkeypatch) -> dt.date:
    moment = dt.datetime.combine(TODAY, dt.time(12, 0), tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return TODAY


@pytest.fixture
def world(frozen) -> World:
    world = build_world()
    # Assured 30 days before TODAY: due 60 days after it on the default policy.
    Service.objects.update(assured_date=TODAY - dt.timedelta(days=30))
    reviews.reviews_recompute()
    return world


def due(service: Service) -> dt.date | None:
    return ServiceReview.objects.get(service=service).due_date


def assured(service: Service, days_ago: int) -> Service:
    service.assured_date = TODAY - dt.timedelta(days=days_ago)
    service.save()
    return service


# --- the policy ------------------------------------------------------------------------------


def test_the_default_interval_is_ninety_days(world):
    assert due(world.services["own"]) == TODAY + dt.timedelta(days=60)
    assert ServiceReview.objects.get(service=world.services["own"]).interval_days == 90


def test_a_partner_interval_applies_to_the_services_allocated_to_it(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ReviewInterval.objects.create(partner=world.partners["own"], days=60)
    assert due(world.services["own"]) == TODAY + dt.timedelta(days=30)
    assert due(world.services["other"]) == TODAY + dt.timedelta(days=60)  # not its partner


def test_a_service_type_interval_applies_and_the_shortest_wins(
    world, django_capture_on_commit_callbacks
):
    own, other = world.services["own"], world.services["other"]
    short = TaxonomyTermFactory(name="Crisis support")
    with django_capture_on_commit_callbacks(execute=True):
        ReviewInterval.objects.create(service_type=world.extra["type_b"], days=180)
        ReviewInterval.objects.create(partner=world.partners["own"], days=60)
        ReviewInterval.objects.create(service_type=short, days=45)
    assert due(other) == TODAY + dt.timedelta(days=150)  # type B's 180 days
    assert due(own) == TODAY + dt.timedelta(days=30)  # its partner's 60 days
    ServiceTypeAttributeFactory(service=own, taxonomy_term=short)  # a second, shorter type
    assert due(own) == TODAY + dt.timedelta(days=15)
    assert ServiceReview.objects.get(service=own).interval_days == 45


def test_changing_or_removing_a_policy_moves_the_dates_back(
    world, django_capture_on_commit_callbacks
):
    own = world.services["own"]
    with django_capture_on_commit_callbacks(execute=True):
        interval = ReviewInterval.objects.create(partner=world.partners["own"], days=60)
    with django_capture_on_commit_callbacks(execute=True):
        interval.days = 40
        interval.save()
    assert due(own) == TODAY + dt.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        interval.delete()
    assert due(own) == TODAY + dt.timedelta(days=60)


def test_the_date_follows_the_assured_date_status_and_allocation(world):
    own = world.services["own"]
    assured(own, 100)
    assert due(own) == TODAY - dt.timedelta(days=10)
    own.status = ServiceStatus.INACTIVE
    own.save()
    assert due(own) is None  # nobody reviews what is not offered
    own.status = ServiceStatus.ACTIVE
    own.assured_date = None
    own.save()
    assert due(own) is None  # never assured: there is nothing to review yet
    ReviewInterval.objects.create(partner=world.partners["other"], days=30)
    assured(own, 0)
    assert due(own) == TODAY + dt.timedelta(days=90)
    ServiceAllocation.objects.filter(service=own).update(partner=world.partners["other"])
    ServiceAllocation.objects.get(service=own).save()  # a per-row change, as one service's is
    assert due(own) == TODAY + dt.timedelta(days=30)


def test_a_new_service_gets_a_date_and_the_nightly_recompute_repairs_bulk_writes(world):
    service = ServiceFactory(assured_date=TODAY)
    assert due(service) == TODAY + dt.timedelta(days=90)
    Service.objects.filter(pk=service.pk).update(assured_date=TODAY - dt.timedelta(days=5))
    assert due(service) == TODAY + dt.timedelta(days=90)  # a bulk write tells nobody
    assert reviews.recompute_all() == Service.objects.count()
    assert due(service) == TODAY + dt.timedelta(days=85)


def test_deleting_a_service_deletes_its_review(world):
    service = ServiceFactory(assured_date=TODAY)
    ServiceAllocation.objects.create(service=service, partner=world.partners["own"])
    service.delete()
    assert not ServiceReview.objects.filter(service_id=service.pk).exists()


# --- words -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (9, "Due in 9 days"),
        (1, "Due in 1 day"),
        (13, "Due in 13 days"),
        (14, "Due in 2 weeks"),
        (60, "Due in 9 weeks"),
        (75, "Due in 2 months"),
        (0, "Due today"),
        (-1, "Overdue by 1 day"),
        (-21, "Overdue by 3 weeks"),
        (-120, "Overdue by 4 months"),
    ],
)
def test_due_words(days, words):
    assert reviews.due_words(TODAY + dt.timedelta(days=days), today=TODAY) == words


def test_the_filters_use_the_stored_date(world):
    own, other = world.services["own"], world.services["other"]
    assured(own, 91)  # due yesterday
    assured(other, 80)  # due in 10 days
    overdue = set(Service.objects.filter(reviews.overdue_filter(TODAY)))
    soon = set(Service.objects.filter(reviews.due_within_filter(14, TODAY)))
    assert overdue == {own}
    assert soon == {other}
    assert set(Service.objects.filter(reviews.due_within_filter(9, TODAY))) == set()


# --- pages ------------------------------------------------------------------------------------


def test_the_service_page_and_list_show_the_stored_date(client, world):
    own = assured(world.services["own"], 111)
    sign_in(client, world.user("assurer"))
    html = client.get(reverse("workflow:service-detail", args=[own.pk])).content.decode()
    assert "Overdue by 3 weeks (17 February 2026)" in html
    html = client.get(reverse("workflow:service-list"), {"assurance": "overdue"}).content.decode()
    assert "Overdue by 3 weeks" in html and own.name in html
    assert world.services["other"].name not in html
    home = client.get(reverse("workflow:home")).content.decode()
    assert "1 review overdue" in home


def test_the_providers_list_shows_the_due_date(client, world):
    assured(world.services["own"], 81)
    sign_in(client, world.user("provider_editor"))
    html = client.get(reverse("workflow:home")).content.decode()
    assert "Due in 9 days" in html


def overdue_list(client) -> str:
    return client.get(reverse("workflow:overdue-reviews")).content.decode()


def test_the_overdue_list_shows_an_assurers_services_most_overdue_first(client, world):
    assured(world.services["own"], 100)
    late = assured(
        ServiceFactory(name="Later lunch", organization=world.services["own"].organization), 130
    )
    ServiceTypeAttributeFactory(service=late, taxonomy_term=world.extra["type_a"])
    allocation_recompute_service(service=late)  # type A: allocated to the assurer's partner
    assured(world.services["other"], 200)  # another partner's
    html = overdue_list(sign_in(client, world.user("assurer")))
    assert "2 services overdue" in html
    assert html.index("Later lunch") < html.index("Own service")
    assert "Overdue by 6 weeks" in html and "Overdue by 10 days" in html
    assert "Other service" not in html


def test_reassuring_moves_a_service_off_the_overdue_list(client, world):
    own = assured(world.services["own"], 100)
    sign_in(client, world.user("assurer"))
    assert "Own service" in overdue_list(client)
    client.post(reverse("workflow:service-reassure", args=[own.pk]))
    assert due(own) == TODAY + dt.timedelta(days=90)
    html = overdue_list(client)
    assert "0 services overdue" in html and "No reviews are overdue" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("assurer", 200),
        ("directory_admin", 200),
        ("self_assuring_provider_editor", 200),
        ("provider_editor", 403),
        ("frontline_worker", 403),
        ("partner_admin", 403),
        ("signed_in", 403),
    ],
)
def test_who_may_open_the_overdue_list(client, world, role, status):
    sign_in(client, world.user(role))
    assert client.get(reverse("workflow:overdue-reviews")).status_code == status


def test_the_overdue_list_asks_anonymous_people_to_sign_in(client, world):
    response = client.get(reverse("workflow:overdue-reviews"))
    assert response.status_code == 302 and "sign-in" in response["Location"]


@pytest.mark.parametrize("role", ["directory_admin", "assurer"])
def test_the_overdue_list_reads_a_constant_number_of_queries(
    client, world, role, django_assert_max_num_queries
):
    """For a directory admin (every service) and an assurer (those their partner assures,
    through the permission filter)."""
    organization = world.services["own"].organization
    sign_in(client, world.user(role))

    def add(n: int) -> None:
        for _ in range(n):
            service = ServiceFactory(
                organization=organization, assured_date=TODAY - dt.timedelta(days=120)
            )
            ServiceTypeAttributeFactory(service=service, taxonomy_term=world.extra["type_a"])
        allocation_recompute_all()  # type A: allocated to the assurer's partner

    add(2)
    client.get(reverse("workflow:overdue-reviews"))  # warm the caches of the first request
    with django_assert_max_num_queries(20) as few:
        assert "2 services overdue" in overdue_list(client)
    add(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "32 services overdue" in overdue_list(client)


# --- stale services leave the open feed and come back ---------------------------------------


def feed_ids(client) -> set[str]:
    body = json.loads(client.get("/api/v3/services", {"per_page": 100}).content)
    return {item["id"] for item in body["contents"]}


def test_a_stale_service_leaves_the_default_feed_and_returns_when_reassured(
    client, world, django_capture_on_commit_callbacks
):
    feed = Feed.objects.get(is_default=True)
    assert feed.max_assurance_age_days == 365  # "assured within 12 months"
    services_publish(service_ids=[s.pk for s in world.services.values()])
    own = world.services["own"]
    with django_capture_on_commit_callbacks(execute=True):
        assured(own, 366)
    assert PublishedService.objects.filter(pk=own.pk).exists()  # kept, but not served
    assert str(own.pk) not in feed_ids(client)
    assert str(world.services["other"].pk) in feed_ids(client)
    with django_capture_on_commit_callbacks(execute=True):
        ws.service_reassure(actor=world.user("assurer"), service=own)
    assert str(own.pk) in feed_ids(client)


def test_a_harvester_revalidating_overnight_sees_a_service_age_out(
    client, world, monkeypatch, django_capture_on_commit_callbacks
):
    """Nothing is published when a service passes the feed's age limit, so the ETag (and the
    cached counts) must move with the date, or If-None-Match would keep serving it."""
    services_publish(service_ids=[s.pk for s in world.services.values()])
    own = world.services["own"]
    with django_capture_on_commit_callbacks(execute=True):
        assured(own, 365)  # the last day it may be served
    first = client.get("/api/v3/services", {"per_page": 100})
    assert str(own.pk) in {item["id"] for item in json.loads(first.content)["contents"]}
    tomorrow = dt.datetime.combine(TODAY + dt.timedelta(days=1), dt.time(12, 0), tzinfo=dt.UTC)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    again = client.get(
        "/api/v3/services", {"per_page": 100}, headers={"If-None-Match": first["ETag"]}
    )
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert str(own.pk) not in {item["id"] for item in json.loads(again.content)["contents"]}


def test_the_finder_applies_the_same_feed_policy(client, world, django_capture_on_commit_callbacks):
    own = world.services["own"]
    own.name = "Tuesday stale lunch"
    with django_capture_on_commit_callbacks(execute=True):
        own.save()
        assured(own, 400)
    assert PublishedService.objects.filter(pk=own.pk).exists()  # published, but stale
    response = client.get(reverse("finder:search"), {"q": "tuesday stale lunch"})
    assert "Tuesday stale lunch" not in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        ws.service_reassure(actor=world.user("assurer"), service=own)
    response = client.get(reverse("finder:search"), {"q": "tuesday stale lunch"})
    assert "Tuesday stale lunch" in response.content.decode()


# --- the review policy page ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("directory_admin", True),
        ("assurer", False),
        ("partner_admin", False),
        ("provider_editor", False),
        ("signed_in", False),
    ],
)
def test_who_may_change_the_review_policy(
    client, world, role, allowed, django_capture_on_commit_callbacks
):
    partner = world.partners["own"]
    sign_in(client, world.user(role))
    url = reverse("workflow:review-policy-partner", args=[partner.pk])
    page = client.get(reverse("workflow:review-policy"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"days": "60"})
    if allowed:
        assert page.status_code == 200 and "Own CVS" in page.content.decode()
        assert response["Location"] == reverse("workflow:review-policy")
        assert ReviewInterval.objects.get(partner=partner).days == 60
        assert due(world.services["own"]) == TODAY + dt.timedelta(days=30)
        event = AuditEvent.objects.get(action=AuditAction.PARTNER_UPDATED)
        assert event.detail == {"review_interval_days": [None, 60]}
    else:
        assert page.status_code == 403 and response.status_code == 403
        assert not ReviewInterval.objects.exists()
        assert due(world.services["own"]) == TODAY + dt.timedelta(days=60)


def test_the_policy_page_reads_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    sign_in(client, world.user("directory_admin"))

    def add(n: int) -> None:
        for i in range(n):
            partner = PartnerFactory()
            ReviewInterval.objects.create(partner=partner, days=60 + i)
            term = TaxonomyTermFactory(name=f"Type {partner.pk}")
            ReviewInterval.objects.create(service_type=term, days=30 + i)

    add(1)
    client.get(reverse("workflow:review-policy"))  # warm the caches of the first request
    with django_assert_max_num_queries(20) as few:
        assert client.get(reverse("workflow:review-policy")).status_code == 200
    add(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("workflow:review-policy")).content.decode()
    names = ReviewInterval.objects.filter(service_type__isnull=False)
    assert all(interval.service_type.name in page for interval in names.select_related())


def test_a_stale_interval_form_is_refused_and_shows_both_versions(
    client, world, django_capture_on_commit_callbacks
):
    partner = world.partners["own"]
    admin = world.user("directory_admin")
    sign_in(client, admin)
    url = reverse("workflow:review-policy-partner", args=[partner.pk])
    version = _loaded_version(client.get(url).content.decode())
    with django_capture_on_commit_callbacks(execute=True):  # another admin, meanwhile
        review_services.review_interval_set(actor=admin, days=45, partner=partner)

    response = client.post(url, {"days": "60", "loaded_version": version})

    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this while you were editing it" in html
    assert "60" in html and "45" in html
    assert ReviewInterval.objects.get(partner=partner).days == 45
    fresh = _loaded_version(client.get(url).content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"days": "60", "loaded_version": fresh}).status_code == 302
    assert ReviewInterval.objects.get(partner=partner).days == 60


def test_an_empty_interval_goes_back_to_the_default(
    client, world, django_capture_on_commit_callbacks
):
    partner = world.partners["own"]
    ReviewInterval.objects.create(partner=partner, days=60)
    sign_in(client, world.user("directory_admin"))
    url = reverse("workflow:review-policy-partner", args=[partner.pk])
    assert 'value="60"' in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"days": ""})
    assert not ReviewInterval.objects.exists()
    assert due(world.services["own"]) == TODAY + dt.timedelta(days=60)


@pytest.mark.parametrize(
    ("days", "error"),
    [("6", "Enter 7 days or more"), ("731", "Enter 730 days or fewer"), ("soon", "whole number")],
)
def test_a_wrong_interval_is_shown_as_an_error(client, world, days, error):
    sign_in(client, world.user("directory_admin"))
    url = reverse("workflow:review-policy-partner", args=[world.partners["own"].pk])
    response = client.post(url, {"days": days})
    html = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in html and error in html
    assert not ReviewInterval.objects.exists()


def test_a_directory_admin_sets_a_service_types_interval(
    client, world, django_capture_on_commit_callbacks
):
    sign_in(client, world.user("directory_admin"))
    url = reverse("workflow:review-policy-type-add")
    response = client.post(url, {"service_type": "No such thing", "days": "30"})
    assert "No service type has that name or code" in response.content.decode()
    response = client.post(url, {"service_type": "debt counselling", "days": ""})
    assert "Enter how often services of this type are reviewed" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"service_type": "Debt counselling", "days": "30"})
    assert response["Location"] == reverse("workflow:review-policy")
    assert due(world.services["other"]) == TODAY  # assured 30 days ago, every 30 days
    page = client.get(reverse("workflow:review-policy")).content.decode()
    assert "Debt counselling" in page and "30 days" in page
    assert AuditEvent.objects.filter(action=AuditAction.RULE_UPDATED).count() == 1
