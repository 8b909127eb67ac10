"""sitemap.xml and robots.txt: every published service and organisation of the default feed,
paged for large directories, with lastmod; crawlers kept off the staff pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from directory.models import ServiceStatus
from publish.finder import sitemaps
from publish.models import Feed, PublishedService
from publish.services import services_publish
from tests.factories import OrganizationFactory, ServiceFactory

pytestmark = pytest.mark.django_db


def locs(response) -> list[str]:
    return re.findall(r"<loc>([^<]+)</loc>", response.content.decode())


@pytest.fixture
def published(db):
    trust = OrganizationFactory(name="Hull Community Trust")
    lunch = ServiceFactory(name="Lunch club", organization=trust)
    choir = ServiceFactory(name="Community choir", organization=trust)
    unassured = ServiceFactory(name="Unchecked club", assured_date=None)
    defunct = ServiceFactory(name="Old club", status=ServiceStatus.DEFUNCT)
    services_publish(service_ids=[s.pk for s in (lunch, choir, unassured, defunct)])
    assert PublishedService.objects.count() == 2
    return {"trust": trust, "lunch": lunch, "choir": choir, "unassured": unassured}


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_off_staff_pages(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    for path in ("/staff/", "/accounts/", "/admin/"):
        assert f"Disallow: {path}\n" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text
    assert "Disallow: /\n" not in text


def test_the_index_lists_each_section(client, published):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert locs(response) == [
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-services.xml",
        "http://testserver/sitemap-organisations.xml",
    ]
    assert "<lastmod>" in response.content.decode()


def test_services_section_lists_published_services_with_lastmod(client, published):
    response = client.get("/sitemap-services.xml")
    assert response.status_code == 200
    expected = sorted(str(published[name].pk) for name in ("lunch", "choir"))
    assert locs(response) == [f"http://testserver/services/{pk}/" for pk in expected]
    assert str(published["unassured"].pk) not in response.content.decode()
    today = timezone.localdate().isoformat()
    assert response.content.decode().count(f"<lastmod>{today}") == 2
    assert "Last-Modified" in response


def test_organisations_and_fixed_pages_are_listed(client, published):
    organisations = client.get("/sitemap-organisations.xml")
    assert locs(organisations) == [
        f"http://testserver/organisations/{published['trust'].pk}/",
    ]
    pages = client.get("/sitemap-pages.xml")
    assert locs(pages) == [
        "http://testserver/",
        "http://testserver/browse/",
        "http://testserver/browse/needs/",
    ]


def test_services_outside_the_default_feed_are_left_out(client, published):
    feed = Feed.objects.get(is_default=True)
    feed.max_assurance_age_days = 10
    feed.save()
    old = ServiceFactory(assured_date=dt.date.today() - dt.timedelta(days=20))
    services_publish(service_ids=[old.pk])
    assert str(old.pk) not in client.get("/sitemap-services.xml").content.decode()


def test_without_a_default_feed_nothing_is_listed(client, published):
    Feed.objects.update(is_default=False)
    assert locs(client.get("/sitemap-services.xml")) == []
    assert locs(client.get("/sitemap-organisations.xml")) == []


def test_large_directories_are_paged(client, published, monkeypatch):
    monkeypatch.setattr(sitemaps.ServiceSitemap, "limit", 1)
    index = client.get("/sitemap.xml")
    assert "http://testserver/sitemap-services.xml?p=2" in locs(index)
    first = locs(client.get("/sitemap-services.xml"))
    second = locs(client.get("/sitemap-services.xml", {"p": "2"}))
    assert len(first) == len(second) == 1
    assert first != second
    assert client.get("/sitemap-services.xml", {"p": "3"}).status_code == 404
    assert client.get("/sitemap-services.xml", {"p": "x"}).status_code == 404


def test_an_unknown_section_is_a_404(client):
    assert client.get("/sitemap-secrets.xml").status_code == 404


def test_the_sitemap_makes_few_queries_however_many_services(
    client, published, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8) as few:
        client.get("/sitemap-services.xml")
    more = [ServiceFactory(organization=published["trust"]) for _ in range(15)]
    services_publish(service_ids=[s.pk for s in more])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/sitemap-services.xml")
    with django_assert_max_num_queries(12):
        client.get("/sitemap.xml")
