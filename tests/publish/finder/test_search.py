"""The finder's search engine: every filter narrows, facets count, distance sorts, and the
query count is the same whatever the page size. Runs on PostgreSQL and SQLite."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory import models as m
from directory.demo.seed import ensure_demo_service_types
from directory.geo import lookup_postcode
from directory.models import Circumstance, Need, TermMapping
from directory.taxonomies.identity import LGA_SERVICE_TYPES, term_uuid
from publish.finder.search import (
    FinderInputError,
    FinderQuery,
    find,
    organization_page,
    service_page,
)
from publish.models import PublishedServiceFacet
from publish.services import services_publish
from tests.factories import (
    AddressFactory,
    LocationFactory,
    OrganizationFactory,
    ScheduleFactory,
    ServiceAtLocationFactory,
    ServiceFactory,
)

LONDON = ZoneInfo("Europe/London")
# A Tuesday afternoon in winter (GMT), so "now" is fixed whatever day the tests run.
NOW = dt.datetime(2025, 1, 14, 14, 30, tzinfo=LONDON)
FOOD_BANKS, COUNSELLING, HOMELESSNESS, OLDER = 1818, 163, 112, 640


def term(code: int) -> m.TaxonomyTerm:
    return m.TaxonomyTerm.objects.get(pk=term_uuid(LGA_SERVICE_TYPES, str(code)))


def tag(service: m.Service, code: int) -> None:
    m.Attribute.objects.create(
        link_entity=m.LinkEntity.SERVICE, link_id=service.pk, taxonomy_term=term(code)
    )


def locate(service: m.Service, postcode: str, *, accessibility: tuple[str, ...] = ()) -> None:
    point = lookup_postcode(postcode)
    location = LocationFactory(
        name=f"Hall {postcode}", latitude=point.latitude, longitude=point.longitude
    )
    AddressFactory(location=location, postal_code=postcode)
    for description in accessibility:
        m.Accessibility.objects.create(location=location, description=description)
    ServiceAtLocationFactory(service=service, location=location)


@dataclass
class Finder:
    services: dict[str, m.Service] = field(default_factory=dict)

    def ids(self, *names: str) -> set[str]:
        return {str(self.services[n].pk) for n in names}


def found(query: FinderQuery, now: dt.datetime = NOW) -> set[str]:
    return {r.service_id for r in find(query, now=now, per_page=100).results}


@pytest.fixture
def finder(db) -> Finder:
    ensure_demo_service_types()
    f = Finder()
    food = ServiceFactory(
        name="Hull Foodbank",
        description="Emergency food parcels for people in crisis. Bring a voucher.",
        minimum_age=None,
    )
    tag(food, FOOD_BANKS)
    locate(food, "HU1 1AA", accessibility=("Step-free access", "Accessible toilet"))
    ScheduleFactory(
        service=food, byday="MO,TH", opens_at=dt.time(9), closes_at=dt.time(12),
        attending_type="Drop in",
    )  # fmt: skip
    m.CostOption.objects.create(service=food, option="Free", amount=Decimal("0"))
    m.Language.objects.create(service=food, name="English", code="en")
    m.Language.objects.create(service=food, name="Polish", code="pl")

    talk = ServiceFactory(
        name="Talking Therapies",
        description="Short-term counselling for anxiety and low mood.",
        minimum_age=16,
        maximum_age=None,
    )
    tag(talk, COUNSELLING)
    locate(talk, "LS1 1UR", accessibility=("Step-free access",))
    ScheduleFactory(
        service=talk, byday="TU", opens_at=dt.time(13), closes_at=dt.time(17),
        attending_type="By appointment",
    )  # fmt: skip
    m.CostOption.objects.create(service=talk, option="Per session", amount=Decimal("10"))
    m.Language.objects.create(service=talk, name="English", code="en")

    night = ServiceFactory(
        name="Night shelter",
        description="Somewhere safe to sleep tonight. Referrals from the council.",
        minimum_age=18,
        maximum_age=None,
    )
    tag(night, HOMELESSNESS)
    locate(night, "HU5 3QA", accessibility=("Hearing loop",))
    # Overnight: opens 22:00, closes 02:00, on Mondays.
    ScheduleFactory(
        service=night, byday="MO", opens_at=dt.time(22), closes_at=dt.time(2),
        attending_type="By referral",
    )  # fmt: skip
    m.Language.objects.create(service=night, name="Arabic", code="ar")

    lunch = ServiceFactory(
        name="Lunch club",
        description="A friendly lunch for older people who feel lonely.",
        minimum_age=60,
        maximum_age=None,
    )
    tag(lunch, OLDER)
    locate(lunch, "HU1 2AA")
    ScheduleFactory(
        service=lunch, byday="TU", opens_at=dt.time(12), closes_at=dt.time(15),
        attending_type="Drop in",
    )  # fmt: skip
    # Closed this week for the holidays (today included).
    m.Schedule.objects.create(
        service=lunch,
        valid_from=dt.date(2025, 1, 13),
        valid_to=dt.date(2025, 1, 19),
        description="Closed for the holidays",
    )
    m.CostOption.objects.create(service=lunch, option="Per meal", amount=Decimal("3.50"))
    f.services = {"food": food, "talk": talk, "night": night, "lunch": lunch}
    services_publish(service_ids=[s.pk for s in f.services.values()])
    return f


def test_no_filters_finds_every_published_service(finder):
    results = find(FinderQuery(), now=NOW)
    assert results.total == 4
    assert [r.name for r in results.results] == sorted(r.name for r in results.results)


def test_keyword_with_stemming(finder):
    assert found(FinderQuery(text="parcel")) == finder.ids("food")
    assert found(FinderQuery(text="counselling")) == finder.ids("talk")
    assert found(FinderQuery(text="lunches")) == finder.ids("lunch")
    assert found(FinderQuery(text="nothing like this")) == set()


def test_synonym_finds_the_terms_services(finder):
    assert "emergency food" in term(FOOD_BANKS).synonyms
    # "hungry" appears in no service text: only the synonym of Food banks finds it.
    assert found(FinderQuery(text="hungry")) == finder.ids("food")
    m.TaxonomyTerm.objects.filter(pk=term(COUNSELLING).pk).update(synonyms=["a listening ear"])
    assert found(FinderQuery(text="Listening ear")) == finder.ids("talk")


def test_words_naming_a_term_within_a_distance(finder):
    leeds = ServiceFactory(name="Leeds pantry", description="Groceries for anyone short.")
    tag(leeds, FOOD_BANKS)
    locate(leeds, "LS1 1UR")
    services_publish(service_ids=[leeds.pk])
    food = str(finder.services["food"].pk)
    anywhere = find(FinderQuery(text="hungry", postcode="HU1 1AA"), now=NOW)
    assert [r.service_id for r in anywhere.results] == [food, str(leeds.pk)]
    near = FinderQuery(text="hungry", postcode="HU1 1AA", within_miles=5)
    assert found(near) == {food}
    assert found(replace(near, postcode="LS1 1UR")) == {str(leeds.pk)}
    # A word beside the term's name must still be in the service's text.
    assert found(replace(near, text="hungry voucher")) == {food}
    assert found(replace(near, text="hungry voucher", postcode="LS1 1UR")) == set()
    facets = find(replace(near, cost="free"), now=NOW).facets
    assert [(f.value, f.count) for f in facets["cost"]] == [("free", 1)]


@pytest.mark.parametrize(
    "query",
    [
        FinderQuery(),
        FinderQuery(text="club"),
        FinderQuery(postcode="HU1 1AA"),
        FinderQuery(text="club", postcode="HU1 1AA", within_miles=25, attending=("drop_in",)),
    ],
    ids=["by name", "best match", "nearest", "nearest within a distance"],
)
def test_a_page_lists_its_results_in_the_order_of_the_whole_list(finder, query):
    # Ties everywhere: the same place and the same words, and two of the same name.
    for name in ("Club twin", "Club twin", "Another lunch club", "Lunch club too"):
        service = ServiceFactory(name=name, description="A lunch club.")
        locate(service, "HU1 2AA")
        ScheduleFactory(service=service, attending_type="Drop in")
        services_publish(service_ids=[service.pk])
    whole = [r.service_id for r in find(query, per_page=100, now=NOW).results]
    assert len(whole) >= 4
    # One result a page: the order comes from the search alone, nothing sorts within a page.
    pages = range(1, len(whole) + 1)
    one_by_one = [find(query, per_page=1, page=n, now=NOW).results[0].service_id for n in pages]
    pages = range(1, find(query, per_page=3, now=NOW).pages + 1)
    in_threes = [r.service_id for n in pages for r in find(query, per_page=3, page=n).results]
    assert whole == one_by_one == in_threes


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="typo tolerance needs pg_trgm (PostgreSQL)"
)
def test_typo_tolerance(finder):
    assert found(FinderQuery(text="cousnelling")) == finder.ids("talk")
    assert found(FinderQuery(text="foodbnak")) == finder.ids("food")


def test_service_type_filter_includes_descendants(finder):
    child = m.TaxonomyTerm.objects.create(
        taxonomy=term(COUNSELLING).taxonomy, name="Couples counselling", parent=term(COUNSELLING)
    )
    extra = ServiceFactory(name="Relate", description="For couples.")
    m.Attribute.objects.create(
        link_entity=m.LinkEntity.SERVICE, link_id=extra.pk, taxonomy_term=child
    )
    services_publish(service_ids=[extra.pk])
    assert found(FinderQuery(service_types=(str(term(COUNSELLING).pk),))) == {
        *finder.ids("talk"),
        str(extra.pk),
    }


def test_needs_and_circumstances_resolve_through_the_mapping(finder):
    need = Need.objects.create(name="Food", term="N1")
    circumstance = Circumstance.objects.create(name="Living alone", term="C1")
    TermMapping.objects.create(from_term=need, service_type=term(FOOD_BANKS))
    TermMapping.objects.create(from_term=circumstance, service_type=term(OLDER))
    assert found(FinderQuery(needs=(str(need.pk),))) == finder.ids("food")
    assert found(FinderQuery(circumstances=(str(circumstance.pk),))) == finder.ids("lunch")
    assert found(
        FinderQuery(needs=(str(need.pk),), circumstances=(str(circumstance.pk),))
    ) == finder.ids("food", "lunch")


def test_age(finder):
    assert found(FinderQuery(age=15)) == finder.ids("food")
    assert found(FinderQuery(age=17)) == finder.ids("food", "talk")
    assert found(FinderQuery(age=70)) == finder.ids("food", "talk", "night", "lunch")
    with pytest.raises(FinderInputError) as error:
        find(FinderQuery(age=400))
    assert error.value.field == "age"


def test_attending(finder):
    assert found(FinderQuery(attending=("drop_in",))) == finder.ids("food", "lunch")
    assert found(FinderQuery(attending=("referral", "appointment"))) == finder.ids("talk", "night")
    assert found(FinderQuery(attending=("nonsense",))) == finder.ids(*finder.services)


def test_cost(finder):
    assert found(FinderQuery(cost="free")) == finder.ids("food")
    assert found(FinderQuery(cost="paid")) == finder.ids("talk", "lunch")


def test_days_and_time_of_day(finder):
    assert found(FinderQuery(days=("TU",))) == finder.ids("talk", "lunch")
    assert found(FinderQuery(days=("MO",))) == finder.ids("food", "night")
    assert found(FinderQuery(days=("MO",), time_of_day="morning")) == finder.ids("food")
    assert found(FinderQuery(time_of_day="evening")) == finder.ids("night")
    assert found(FinderQuery(time_of_day="afternoon")) == finder.ids("talk", "lunch")


def test_accessibility_needs_every_chosen_feature(finder):
    assert found(FinderQuery(accessibility=("step_free",))) == finder.ids("food", "talk")
    both = FinderQuery(accessibility=("step_free", "accessible_toilet"))
    assert found(both) == finder.ids("food")


def test_languages(finder):
    assert found(FinderQuery(languages=("Polish",))) == finder.ids("food")
    assert found(FinderQuery(languages=("Polish", "Arabic"))) == finder.ids("food", "night")


def test_filters_combine(finder):
    query = FinderQuery(attending=("drop_in",), cost="free", days=("TH",), languages=("Polish",))
    assert found(query) == finder.ids("food")
    assert found(FinderQuery(attending=("drop_in",), cost="paid")) == finder.ids("lunch")
    assert found(FinderQuery(text="lunch", cost="free")) == set()


def test_open_now_respects_hours_and_closures(finder):
    # Tuesday 14:30: the counselling session runs; the lunch club would, but is closed this week.
    assert found(FinderQuery(open_now=True)) == finder.ids("talk")
    results = {r.service_id: r for r in find(FinderQuery(), now=NOW).results}
    assert results[str(finder.services["talk"].pk)].when_next == "Open now until 17:00"
    lunch = results[str(finder.services["lunch"].pk)]
    assert lunch.when_next == "Next: Tuesday 21 January 12:00 to 15:00"


def test_open_now_past_midnight(finder):
    monday_night = dt.datetime(2025, 1, 13, 23, 0, tzinfo=LONDON)
    tuesday_small_hours = dt.datetime(2025, 1, 14, 1, 30, tzinfo=LONDON)
    tuesday_late = dt.datetime(2025, 1, 14, 2, 30, tzinfo=LONDON)
    for moment, expected in (
        (monday_night, {"night"}),
        (tuesday_small_hours, {"night"}),
        (tuesday_late, set()),
    ):
        assert found(FinderQuery(open_now=True), now=moment) == finder.ids(*expected)


def test_facet_counts_leave_their_own_filter_out(finder):
    results = find(FinderQuery(attending=("drop_in",)), now=NOW)
    assert results.total == 2
    attending = {f.value: (f.count, f.selected) for f in results.facets["attending"]}
    assert attending == {
        "drop_in": (2, True),
        "appointment": (1, False),
        "referral": (1, False),
    }
    cost = {f.value: f.count for f in results.facets["cost"]}
    assert cost == {"free": 1, "paid": 1}  # within the drop-in results
    days = {f.value: f.count for f in results.facets["day"]}
    assert days == {"MO": 1, "TU": 1, "TH": 1}
    languages = {f.value: f.count for f in results.facets["language"]}
    assert languages == {"English": 1, "Polish": 1}
    types = {f.label: f.count for f in results.facets["service_type"]}
    assert types == {"Food banks": 1, "Activities for older people": 1}
    access = {f.value: f.count for f in results.facets["accessibility"]}
    assert access == {"step_free": 1, "accessible_toilet": 1}


def test_each_facet_count_keeps_the_other_facets_filters(finder):
    """With two facets in use, one facet's counts leave out its own filter only."""
    both = find(FinderQuery(attending=("drop_in",), cost="free"), now=NOW)
    free_only = find(FinderQuery(cost="free"), now=NOW)
    drop_in_only = find(FinderQuery(attending=("drop_in",)), now=NOW)
    attending = {f.value: f.count for f in both.facets["attending"]}
    assert attending == {f.value: f.count for f in free_only.facets["attending"]}
    cost = {f.value: f.count for f in both.facets["cost"]}
    assert cost == {f.value: f.count for f in drop_in_only.facets["cost"]}
    languages = {f.value: f.count for f in both.facets["language"]}
    assert sum(languages.values()) <= both.total * 2  # narrowed by both filters
    assert both.total <= min(free_only.total, drop_in_only.total)


def test_distance_order_and_limit(finder):
    results = find(FinderQuery(postcode="hu1 1aa"), now=NOW)
    assert results.origin.postcode == "HU1 1AA"
    names = [r.name for r in results.results]
    assert names == ["Hull Foodbank", "Lunch club", "Night shelter", "Talking Therapies"]
    distances = [r.distance_metres for r in results.results]
    assert distances == sorted(distances) and distances[0] < 10
    assert results.results[0].where == "Hall HU1 1AA, HU1 1AA"
    near = find(FinderQuery(postcode="HU1 1AA", within_miles=5), now=NOW)
    assert {r.name for r in near.results} == {"Hull Foodbank", "Lunch club", "Night shelter"}


@pytest.mark.parametrize("postcode", ["not a postcode", "ZZ99 9ZZ", "SW1A 0ZZ"])
def test_bad_postcode_names_the_field(finder, postcode):
    with pytest.raises(FinderInputError) as error:
        find(FinderQuery(postcode=postcode))
    assert error.value.field == "postcode"
    assert error.value.message


def test_result_fields(finder):
    (result,) = find(FinderQuery(text="foodbank"), now=NOW).results
    assert result.summary == "Emergency food parcels for people in crisis. Bring a voucher."
    assert result.service_types == ["Food banks"]
    assert result.attending == ["Drop in"]
    assert result.cost == "Free"
    assert result.when_next == "Next: Thursday 09:00 to 12:00"
    assert result.checked == "Checked 4 weeks ago" or result.checked.startswith("Checked")
    assert result.organization_name == finder.services["food"].organization.name


def test_pages(finder):
    first = find(FinderQuery(), per_page=3, now=NOW)
    second = find(FinderQuery(), per_page=3, page=2, now=NOW)
    assert (first.pages, len(first.results), len(second.results)) == (2, 3, 1)
    assert find(FinderQuery(), per_page=3, page=99, now=NOW).page == 2


def test_query_count_is_constant(finder, django_assert_max_num_queries):
    for extra in range(6):
        service = ServiceFactory(name=f"Extra lunch club {extra}")
        tag(service, OLDER)
        locate(service, "HU1 1AA")
        ScheduleFactory(service=service)
        services_publish(service_ids=[service.pk])
    busy = FinderQuery(
        text="lunch club",
        postcode="HU1 1AA",
        within_miles=10,
        attending=("drop_in",),
        days=("TU",),
        open_now=True,
        cost="paid",
        languages=("English",),
        accessibility=("step_free",),
    )
    for query in (FinderQuery(), FinderQuery(text="lunch", postcode="HU1 1AA"), busy):
        counts = []
        for per_page in (1, 50):
            with django_assert_max_num_queries(9), CaptureQueriesContext(connection) as queries:
                find(query, per_page=per_page, now=NOW)
            counts.append(len(queries))
        assert counts[0] == counts[1]


def test_facet_rows_go_with_the_snapshot(finder):
    food = finder.services["food"]
    assert PublishedServiceFacet.objects.filter(snapshot=food.pk).exists()
    food.status = m.ServiceStatus.DEFUNCT
    food.save()
    services_publish(service_ids=[food.pk])
    assert not PublishedServiceFacet.objects.filter(snapshot=food.pk).exists()


def test_service_page(finder):
    page = service_page(finder.services["lunch"].pk, now=NOW)
    assert page.name == "Lunch club"
    assert page.sessions == ["Every Tuesday, 12:00 to 15:00"]
    assert page.closures == ["Closed for the holidays (13 January 2025 to 19 January 2025)"]
    assert page.costs == ["Per meal"]
    assert page.ages == "60 years and over"
    assert page.locations[0].postcode == "HU1 2AA"
    assert page.attending == ["Drop in"]
    assert service_page("not-a-uuid") is None
    assert service_page(ServiceFactory(assured_date=None).pk) is None


def test_organization_page(finder):
    food = finder.services["food"]
    page = organization_page(food.organization_id, now=NOW)
    assert page.name == food.organization.name
    assert [s.name for s in page.services] == ["Hull Foodbank"]
    assert organization_page(OrganizationFactory().pk) is None
