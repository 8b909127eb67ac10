"""Data quality: the richness score of a document with and without each part, scores stored
and kept up to date (after a change, and by the nightly job), the dashboard's counts against a
seeded directory, its lists at constant query counts, who may see them, and the link checker
with the network replaced (working, broken, robots.txt, the per-host limit)."""

from __future__ import annotations

import copy
import datetime as dt
import socket
import uuid

import dns.exception
import dns.resolver
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.services import allocation_recompute_all
from directory.models import Service
from directory.taxonomies.identity import LGA_SERVICE_TYPES, taxonomy_uuid
from tests.accounts.matrix import World, build_world
from tests.auth import sign_in
from tests.factories import (
    AddressFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
    ServiceTypeAttributeFactory,
    TaxonomyFactory,
    TaxonomyTermFactory,
)
from workflow.documents import current_document
from workflow.quality import links, tasks
from workflow.quality import services as qs
from workflow.quality.models import LinkCheck, LinkKind, LinkStatus, ServiceQuality
from workflow.quality.scoring import WEIGHTS, ServiceTypes, score_document
from workflow.schedules import SCHEDULES

LGA_TAXONOMY_ID = str(taxonomy_uuid(LGA_SERVICE_TYPES))
LONG = (
    "A friendly lunch club in the church hall every Tuesday. Come for a hot two-course meal, "
    "a cup of tea and a chat; volunteers can collect you from home if you cannot get here on "
    "your own. Tell us about any diet you follow when you book."
)


def lga_attribute(code: str) -> dict:
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"attribute-{code}")),
        "taxonomy_term": {
            "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"term-{code}")),
            "name": f"Type {code}",
            "taxonomy": LGA_SERVICE_TYPES,
            "taxonomy_id": LGA_TAXONOMY_ID,
            "code": code,
        },
    }


FULL = {
    "id": "7c1f6f2a-1d0c-4d1e-9a55-0a1b2c3d4e5f",
    "name": "Lunch club",
    "description": LONG,
    "status": "active",
    "email": "lunch@example.org",
    "minimum_age": 60,
    "schedules": [{"freq": "WEEKLY", "byday": "TU", "opens_at": "12:00:00"}],
    "service_at_locations": [
        {"location": {"name": "Hall", "addresses": [{"postal_code": "HU1 1AA"}]}}
    ],
    "attributes": [lga_attribute("1")],
}


def without(**changes) -> dict:
    document = copy.deepcopy(FULL)
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return document


def no_lookup(ids) -> set:
    raise AssertionError("nested terms need no lookup")


# Scoring without a database: the LGA taxonomy is known by its stable id alone.
OFFLINE = ServiceTypes(taxonomy_ids=frozenset({LGA_TAXONOMY_ID}), resolve=no_lookup)


# --- the score -------------------------------------------------------------------------------


def test_a_complete_document_scores_100_with_nothing_to_add():
    score = score_document(FULL, service_types=OFFLINE)
    assert score.value == 100
    assert score.missing == []
    assert not score.missing_required
    assert sum(WEIGHTS.values()) == 100


@pytest.mark.parametrize(
    ("document", "part", "hint"),
    [
        pytest.param(
            without(description=""),
            "description",
            "Describe what the service does, who it is for and how to use it: +25",
            id="no-description",
        ),
        pytest.param(
            without(email=None),
            "contact",
            "Add a way to get in touch: a phone number, an email address or a website: +20",
            id="no-contact",
        ),
        pytest.param(
            without(schedules=None),
            "schedule",
            "Add the days and times it runs: +15",
            id="no-schedule",
        ),
        pytest.param(
            without(service_at_locations=None),
            "location",
            "Add where it runs, with its postcode: +15",
            id="no-location",
        ),
        pytest.param(
            without(attributes=None),
            "taxonomy",
            "Choose the service type that describes it best: +15",
            id="no-service-type",
        ),
        pytest.param(
            without(minimum_age=None),
            "eligibility",
            "Say who it is for: an age range, or who may use it in the description: +10",
            id="no-eligibility",
        ),
    ],
)
def test_each_missing_part_costs_its_points_with_an_actionable_hint(document, part, hint):
    score = score_document(document, service_types=OFFLINE)
    assert score.value == 100 - WEIGHTS[part]
    (missing,) = score.missing
    assert missing.key == part
    assert missing.hint == hint
    assert score.missing_required == (part in ("description", "contact", "taxonomy"))


def test_a_short_description_earns_its_share_and_says_how_long_it_is():
    score = score_document(without(description="x" * 100), service_types=OFFLINE)
    assert score.value == 100 - 13  # 25 * 100 / 200 = 12 points earned
    assert score.missing[0].hint == (
        "Say more in the description: at least 200 characters (it has 100): +13"
    )
    assert not score.missing_required


def test_more_than_three_service_types_lose_the_taxonomy_points():
    attributes = [lga_attribute(str(n)) for n in range(5)]
    score = score_document(without(attributes=attributes), service_types=OFFLINE)
    assert score.value == 85
    assert "Keep to the 3 service types that describe it best (it has 5)" in score.missing[0].hint
    # Over-tagged is thin, not missing a service type: it is not on the "missing" list
    assert not score.missing_required and not score.missing[0].as_json()["required"]


def test_terms_of_other_vocabularies_are_not_service_types():
    attribute = lga_attribute("9")
    attribute["taxonomy_term"].update(taxonomy="openActiveActivity", taxonomy_id="x")
    score = score_document(without(attributes=[attribute]), service_types=OFFLINE)
    assert [p.key for p in score.missing] == ["taxonomy"]


def test_eligibility_in_words_counts_and_a_closure_is_not_a_session():
    closure = {
        "valid_from": "2026-12-25",
        "valid_to": "2026-12-26",
        "description": "Closed for Christmas",
    }
    document = without(
        minimum_age=None,
        description=LONG + " Open to anyone aged 60 and over.",
        schedules=[closure],
    )
    score = score_document(document, service_types=OFFLINE)
    assert [p.key for p in score.missing] == ["schedule"]


def test_a_location_without_postcode_or_coordinates_asks_for_the_postcode():
    document = without(service_at_locations=[{"location": {"name": "Hall", "addresses": []}}])
    score = score_document(document, service_types=OFFLINE)
    assert score.missing[0].hint == "Add the postcode of where it runs: +15"


def test_a_phone_number_of_a_contact_is_a_way_to_get_in_touch():
    document = without(email=None, contacts=[{"name": "Desk", "phones": [{"number": "01482 000"}]}])
    assert score_document(document, service_types=OFFLINE).value == 100


def test_an_empty_document_scores_nothing_and_misses_every_required_part():
    score = score_document(
        {}, service_types=ServiceTypes(taxonomy_ids=frozenset(), resolve=lambda ids: set())
    )
    assert score.value == 0
    assert score.missing_required
    assert [p.key for p in score.missing][:2] == ["description", "contact"]


def test_personal_data_in_the_document_is_counted():
    score = score_document(without(email="jane.smith@gmail.com"), service_types=OFFLINE)
    assert score.personal_data_flags == 1


@pytest.mark.django_db
def test_a_proposal_holding_term_ids_alone_is_resolved_from_the_taxonomy():
    lga = TaxonomyFactory(vocabulary=LGA_SERVICE_TYPES)
    term = TaxonomyTermFactory(taxonomy=lga)
    other = TaxonomyTermFactory()
    document = without(
        attributes=[{"taxonomy_term_id": str(term.pk)}, {"taxonomy_term_id": "not-a-uuid"}]
    )
    assert score_document(document).value == 100
    document = without(attributes=[{"taxonomy_term_id": str(other.pk)}])
    assert [p.key for p in score_document(document).missing] == ["taxonomy"]


# --- stored scores ---------------------------------------------------------------------------


def full_service(**kwargs) -> Service:
    service = ServiceFactory(**{"description": LONG, "email": "club@example.org", **kwargs})
    ScheduleFactory(service=service)
    ServiceAtLocationFactory(service=service, location=AddressFactory().location)
    return service


@pytest.mark.django_db
def test_stored_scores_equal_the_score_of_the_current_document():
    thin = ServiceFactory(description="", email="", minimum_age=None)
    rich = full_service()
    assert qs.service_quality_compute(service_ids=[thin.pk, rich.pk]) == 2
    for service in (thin, rich):
        row = ServiceQuality.objects.get(service=service)
        expected = score_document(current_document(service))
        assert row.score == expected.value
        assert row.missing == [part.as_json() for part in expected.missing]
    assert ServiceQuality.objects.get(service=thin).missing_required


@pytest.mark.django_db
def test_a_changed_service_is_scored_again_once_the_change_commits(
    django_capture_on_commit_callbacks,
):
    service = ServiceFactory(description="")
    with django_capture_on_commit_callbacks(execute=True):
        service.description = LONG
        service.save()
    row = ServiceQuality.objects.get(service=service)
    assert row.score == score_document(current_document(service)).value
    assert "description" not in [m["key"] for m in row.missing]


@pytest.mark.django_db
def test_the_nightly_job_scores_every_service_in_batches_and_is_scheduled():
    services = [ServiceFactory(description="x" * (40 * n)) for n in range(5)]
    ServiceQuality.objects.create(service=services[0], score=99, computed_at=timezone.now())
    assert qs.service_quality_compute_all(batch=2) == 5
    assert ServiceQuality.objects.count() == 5
    assert ServiceQuality.objects.get(service=services[0]).score < 99  # recomputed
    assert tasks.score_all_services() == 5
    jobs = {job.func for job in SCHEDULES}
    assert "workflow.quality.tasks.score_all_services" in jobs
    assert "workflow.quality.tasks.check_links" in jobs


# --- the dashboard ---------------------------------------------------------------------------

TODAY = timezone.localdate()
OVERDUE = TODAY - dt.timedelta(days=200)


@pytest.fixture
def world() -> World:
    return build_world()


@pytest.fixture
def seeded(world: World) -> World:
    """Seeded beside build_world's four thin services (each low and missing required details):
    Own CVS: 3 overdue, 1 flagged, 1 thin, 1 broken website; Other NHS: 1 overdue, 1 broken
    email domain; unallocated: 1 more, overdue."""
    own_org = world.services["own"].organization
    other_org = world.services["other"].organization
    loose_org = world.services["unallocated"].organization
    type_a = world.services["own"].allocation.rule.taxonomy_term
    type_b = world.services["other"].allocation.rule.taxonomy_term
    lga = TaxonomyTermFactory(taxonomy=TaxonomyFactory(vocabulary=LGA_SERVICE_TYPES))

    def make(org, term, *, full=True, **kwargs):
        service = (
            full_service(organization=org, **kwargs)
            if full
            else ServiceFactory(organization=org, **kwargs)
        )
        ServiceTypeAttributeFactory(service=service, taxonomy_term=lga)
        if term is not None:  # allocates it
            ServiceTypeAttributeFactory(service=service, taxonomy_term=term)
        return service

    for n in range(3):
        make(own_org, type_a, name=f"Own overdue {n}", assured_date=OVERDUE)
    make(own_org, type_a, name="Own flagged", email="jane.smith@gmail.com")
    make(own_org, type_a, name="Own thin", description="", email="", full=False)
    make(own_org, type_a, name="Own broken link", url="https://gone.example.org/")
    make(other_org, type_b, name="Other overdue", assured_date=OVERDUE)
    make(other_org, type_b, name="Other broken email", email="help@nomail.example.net")
    make(loose_org, None, name="Loose overdue", assured_date=OVERDUE)
    allocation_recompute_all()
    qs.service_quality_compute_all()
    LinkCheck.objects.create(
        kind=LinkKind.URL,
        target="https://gone.example.org/",
        host="gone.example.org",
        status=LinkStatus.BROKEN,
        error="The site answered 404",
    )
    LinkCheck.objects.create(
        kind=LinkKind.EMAIL_DOMAIN,
        target="nomail.example.net",
        host="nomail.example.net",
        status=LinkStatus.BROKEN,
    )
    return world


def dashboard_counts(client) -> dict:
    response = client.get(reverse("quality:dashboard"))
    assert response.status_code == 200
    return response


@pytest.mark.django_db
def test_dashboard_counts_are_exact_per_partner_for_a_directory_admin(client, seeded):
    from workflow.quality import dashboard

    admin = seeded.user("directory_admin")
    found = dashboard.counts(admin)
    by_name = {name: numbers for _pk, name, numbers in found.partners}
    # build_world's services are thin (a short description, no contact, no LGA type), so
    # each scores low and misses required details; the seeded ones are full but for "Own thin".
    assert by_name["Own CVS"] == {
        "overdue": 3,
        "unallocated": 0,
        "personal-data": 1,
        "missing-required": 2,  # "Own service" and "Own thin"
        "low-score": 2,
        "broken-links": 1,
        "broken-email": 0,
    }
    assert by_name["Other NHS"] == {
        "overdue": 1,
        "unallocated": 0,
        "personal-data": 0,
        "missing-required": 2,  # "Other service" and "Self-assured service"
        "low-score": 2,
        "broken-links": 0,
        "broken-email": 1,
    }
    assert by_name["Not allocated"] == {
        "overdue": 1,
        "unallocated": 2,
        "personal-data": 0,
        "missing-required": 1,
        "low-score": 1,
        "broken-links": 0,
        "broken-email": 0,
    }
    assert found.totals["overdue"] == 5
    assert found.totals["unallocated"] == 2
    assert list(by_name)[-1] == "Not allocated"

    page = dashboard_counts(sign_in(client, admin)).content.decode()
    assert "5 services</a> overdue for review" in page
    assert "2 services</a> not allocated to a partner" in page
    assert "By partner" in page


@pytest.mark.django_db
def test_an_assurer_counts_only_their_partner_s_services(client, seeded):
    from workflow.quality import dashboard

    assurer = seeded.user("assurer")
    found = dashboard.counts(assurer)
    assert [name for _pk, name, _n in found.partners] == ["Own CVS"]
    assert "unallocated" not in found.totals
    assert found.totals["overdue"] == 3
    assert found.totals["broken-links"] == 1
    page = dashboard_counts(sign_in(client, assurer)).content.decode()
    assert "3 services</a> overdue for review" in page
    assert "not allocated" not in page
    assert "By partner" not in page


@pytest.mark.django_db
def test_a_count_links_to_exactly_those_services(client, seeded):
    sign_in(client, seeded.user("directory_admin"))
    own = seeded.partners["own"]
    response = client.get(reverse("quality:problem-list", args=["overdue"]), {"partner": own.pk})
    page = response.content.decode()
    assert response.status_code == 200
    for n in range(3):
        assert f"Own overdue {n}" in page
    assert "Other overdue" not in page and "Loose overdue" not in page
    response = client.get(reverse("quality:problem-list", args=["broken-links"]))
    page = response.content.decode()
    assert "Own broken link" in page and "The site answered 404" in page
    response = client.get(
        reverse("quality:problem-list", args=["unallocated"]), {"partner": "none"}
    )
    assert "Loose overdue" in response.content.decode()
    assert "Unallocated service" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "low_scores"), [("directory_admin", 65), ("assurer", 62)])
def test_list_pages_read_a_constant_number_of_queries(
    client, seeded, role, low_scores, django_assert_max_num_queries
):
    """For a directory admin (every service) and an assurer (their partner's, through the
    permission filter)."""
    sign_in(client, seeded.user(role))
    type_a = seeded.services["own"].allocation.rule.taxonomy_term
    low = reverse("quality:problem-list", args=["low-score"])
    broken = reverse("quality:problem-list", args=["broken-links"])
    with django_assert_max_num_queries(8):
        assert client.get(low).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("quality:dashboard")).status_code == 200
    org = seeded.services["own"].organization
    for n in range(60):
        service = ServiceFactory(organization=org, description="", name=f"More {n:02}")
        ServiceTypeAttributeFactory(service=service, taxonomy_term=type_a)
    allocation_recompute_all()
    qs.service_quality_compute_all()
    with django_assert_max_num_queries(8):
        response = client.get(low)
    assert response.status_code == 200
    assert response.context["count"] == low_scores
    assert len(response.context["table"]["rows"]) == 50
    with django_assert_max_num_queries(8):
        assert client.get(low, {"page": 2}).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(broken).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("quality:dashboard")).status_code == 200


DASHBOARD_ROLES = [
    ("anonymous", None),
    ("signed_in", 403),
    ("frontline_worker", 403),
    ("provider_editor", 403),
    ("partner_admin", 403),
    ("self_assuring_provider_editor", 200),
    ("assurer", 200),
    ("directory_admin", 200),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), DASHBOARD_ROLES)
def test_who_may_open_the_dashboard_and_its_lists(client, world, role, status):
    if role != "anonymous":
        sign_in(client, world.user(role))
    for url in (
        reverse("quality:dashboard"),
        reverse("quality:problem-list", args=["low-score"]),
    ):
        response = client.get(url)
        if status is None:
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("accounts:sign-in"))
        else:
            assert response.status_code == status


@pytest.mark.django_db
def test_bad_list_addresses_are_refused_plainly(client, world):
    sign_in(client, world.user("assurer"))
    assert client.get(reverse("quality:problem-list", args=["nonsense"])).status_code == 404
    # Only directory admins see the unallocated at all.
    assert client.get(reverse("quality:problem-list", args=["unallocated"])).status_code == 404
    low = reverse("quality:problem-list", args=["low-score"])
    assert client.get(low, {"partner": "1 OR 1=1"}).status_code == 400
    assert client.get(low, {"partner": "999999"}).status_code == 404
    assert client.get(low, {"page": "zz"}).status_code == 200


@pytest.mark.django_db
def test_the_staff_service_page_and_the_task_list_show_the_score_and_its_hints(client, world):
    service = world.services["own"]
    sign_in(client, world.user("provider_editor"))
    page = client.get(reverse("workflow:service-detail", args=[service.pk])).content.decode()
    expected = score_document(current_document(service))
    assert f"Richness score: {expected.value} out of 100" in page
    assert "Add the days and times it runs: +15" in page
    response = client.post(reverse("workflow:propose", args=[service.pk]))
    task_list = client.get(response["Location"]).content.decode()
    assert f"Richness score: {expected.value} out of 100" in task_list
    assert "/sections/times/" in task_list or "times" in task_list


# --- link checks -----------------------------------------------------------------------------

NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


class FakeWeb:
    """The web as the checker sees it: {url: status} (missing: no answer at all)."""

    def __init__(self, answers: dict[str, int], robots: dict[str, str] | None = None):
        self.answers = answers
        self.robots = robots or {}
        self.requests: list[tuple[str, str]] = []

    def fetch(self, method: str, url: str, *, timeout: float, read: int = 0) -> links.Answer:
        self.requests.append((method, url))
        if url.endswith("/robots.txt"):
            host = links.host_of(url)
            if host in self.robots:
                return links.Answer(200, self.robots[host].encode())
            return links.Answer(404)
        if url not in self.answers:
            raise links.FetchError("Name or service not known")
        status = self.answers[url]
        if method == "HEAD" and status == 405:
            return links.Answer(405)
        return links.Answer(200 if status == 405 else status)


@pytest.fixture
def web(monkeypatch):
    def install(answers, robots=None, domains=()):
        fake = FakeWeb(answers, robots)
        monkeypatch.setattr(links, "fetch", fake.fetch)
        monkeypatch.setattr(links, "resolve", lambda domain: domain in domains)
        return fake

    return install


@pytest.mark.django_db
def test_links_are_found_checked_and_rechecked_on_their_own_schedule(web):
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(website="https://org.example.org/", email="hi@org.example.org")
    ServiceFactory(organization=org, url="https://org.example.org/club", email="")
    ServiceFactory(organization=org, url="https://gone.example.com/", email="x@nowhere.invalid")
    ServiceFactory(organization=org, url="https://nohead.example.org/", email="")
    assert qs.link_checks_discover() == 6
    assert qs.link_checks_discover() == 0  # nothing twice
    fake = web(
        {
            "https://org.example.org/": 200,
            "https://org.example.org/club": 200,
            "https://nohead.example.org/": 405,
        },
        domains={"org.example.org"},
    )
    report = qs.link_checks_run(now=NOW)
    assert (report.checked, report.broken, report.deferred) == (6, 2, 0)
    status = dict(LinkCheck.objects.values_list("target", "status"))
    assert status == {
        "https://org.example.org/": LinkStatus.OK,
        "https://org.example.org/club": LinkStatus.OK,
        "https://gone.example.com/": LinkStatus.BROKEN,
        "https://nohead.example.org/": LinkStatus.OK,  # HEAD refused, GET answered
        "org.example.org": LinkStatus.OK,
        "nowhere.invalid": LinkStatus.BROKEN,
    }
    gone = LinkCheck.objects.get(target="https://gone.example.com/")
    assert gone.error == "Name or service not known"
    assert gone.next_check_at == NOW + dt.timedelta(days=1)
    assert LinkCheck.objects.get(target="org.example.org").next_check_at == NOW + dt.timedelta(
        days=7
    )
    assert ("GET", "https://nohead.example.org/") in fake.requests
    assert sum(1 for _m, url in fake.requests if url.endswith("/robots.txt")) == 3  # one a host

    fake.requests.clear()
    assert qs.link_checks_run(now=NOW + dt.timedelta(hours=1)).checked == 0  # nothing due
    assert qs.link_checks_run(now=NOW + dt.timedelta(days=1, minutes=1)).checked == 2
    assert qs.link_checks_run(now=NOW + dt.timedelta(days=7, minutes=2)).checked == 6


@pytest.mark.django_db
def test_the_checker_keeps_to_the_per_host_limit_and_waits_for_the_next_minute(web, settings):
    settings.PORTAL_LINK_CHECK_PER_HOST_PER_MINUTE = 4
    for n in range(5):
        ServiceFactory(url=f"https://busy.example.org/{n}", email="", organization=None)
    qs.link_checks_discover()
    fake = web({f"https://busy.example.org/{n}": 200 for n in range(5)})
    report = qs.link_checks_run(now=NOW)
    # robots.txt and a HEAD for the first (2), a HEAD for the second (3); the third might need
    # a HEAD and a GET (5 > 4), so it and the rest wait.
    assert report.checked == 2 and report.deferred == 3
    assert len(fake.requests) == 3
    # Within the same minute (another run, another worker), the host is still busy.
    assert qs.link_checks_run(now=NOW + dt.timedelta(seconds=30)).checked == 0
    assert qs.link_checks_run(now=NOW + dt.timedelta(minutes=2)).checked == 2
    assert qs.link_checks_run(now=NOW + dt.timedelta(minutes=4)).checked == 1
    assert LinkCheck.objects.filter(status=LinkStatus.OK).count() == 5


@pytest.mark.django_db
def test_robots_txt_that_disallows_the_checker_is_obeyed(web):
    ServiceFactory(url="https://private.example.org/members", email="", organization=None)
    qs.link_checks_discover()
    fake = web(
        {"https://private.example.org/members": 200},
        robots={"private.example.org": "User-agent: *\nDisallow: /members\n"},
    )
    qs.link_checks_run(now=NOW)
    check = LinkCheck.objects.get()
    assert check.status == LinkStatus.SKIPPED
    assert fake.requests == [("GET", "https://private.example.org/robots.txt")]


def test_the_checker_names_the_portal_in_its_user_agent(settings):
    settings.PORTAL_NAME = "Find Hull services"
    settings.PORTAL_BASE_URL = "https://directory.example.gov.uk"
    assert links.user_agent() == (
        "Find Hull services link checker (+https://directory.example.gov.uk)"
    )


def test_a_real_local_server_is_checked_with_head_then_get():
    """The real fetch against a local HTTP server: HEAD refused, GET answers; a 404 is broken."""
    import http.server
    import threading

    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self):
            seen.append(("HEAD", self.path, self.headers["User-Agent"]))
            self.send_response(405)
            self.end_headers()

        def do_GET(self):
            seen.append(("GET", self.path, self.headers["User-Agent"]))
            self.send_response(200 if self.path == "/ok" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_port}"
        ok = links.check_url(f"{base}/ok")
        missing = links.check_url(f"{base}/missing")
    finally:
        server.shutdown()
        server.server_close()
    assert (ok.ok, ok.status, ok.requests) == (True, 200, 2)
    assert (missing.ok, missing.status) == (False, 404)
    assert missing.error == "The site answered 404"
    assert [(m, p) for m, p, _ua in seen[:2]] == [("HEAD", "/ok"), ("GET", "/ok")]
    assert all("link checker" in ua for _m, _p, ua in seen)


def test_a_web_address_that_is_not_http_is_broken_without_a_request():
    result = links.check_url("ftp://files.example.org/")
    assert not result.ok and result.requests == 0


@pytest.mark.parametrize(
    ("mx", "addresses", "takes_mail"),
    [
        ("mx.example.org", None, True),  # MX records
        (dns.resolver.NoAnswer, [("addr",)], True),  # no MX: mail goes to its address
        (dns.resolver.NoAnswer, socket.gaierror(socket.EAI_NONAME, "no name"), False),
        (dns.resolver.NXDOMAIN, None, False),  # no such domain
    ],
)
def test_an_email_domain_takes_mail_by_its_mx_records_or_else_its_address(
    monkeypatch, mx, addresses, takes_mail
):
    def fake_mx(domain, kind, lifetime):
        assert kind == "MX" and domain == "example.org"
        if isinstance(mx, type):
            raise mx()
        return [mx]

    def fake_addresses(domain, port):
        if isinstance(addresses, Exception):
            raise addresses
        return addresses

    monkeypatch.setattr(links.dns.resolver, "resolve", fake_mx)
    monkeypatch.setattr(links.socket, "getaddrinfo", fake_addresses)
    assert links.resolve("example.org") is takes_mail


def test_a_failed_lookup_is_not_taken_for_a_missing_domain(monkeypatch):
    def timed_out(domain, kind, lifetime):
        raise dns.exception.Timeout()

    monkeypatch.setattr(links.dns.resolver, "resolve", timed_out)
    with pytest.raises(links.FetchError):
        links.resolve("example.org")
