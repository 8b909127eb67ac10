"""The ORUK 1.0 feed: the requests the two finders send, the shapes they read, paging, errors.

Request shapes are built as the clients build them: the LGA Service Finder's `getSearchParams`
(OpenReferralUK/LGA-Service-Finder `src/shared/api/search.ts`, sent by axios) and ServiceFinder's
`API_directions` and `Query_direction` (OpenReferralUK/ServiceFinder `src/settings/settings.js`).
Every item is checked against the ORUK 1.0 schemas of `publish/api_v1/schema.py`.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft7Validator, FormatChecker

from directory import models as m
from directory.taxonomies.identity import (
    LGA_SERVICE_TYPES,
    ORUK_ATTENDING_ACCESS,
    ORUK_ELIGIBILITY,
    taxonomy_uuid,
)
from publish.api_v1 import schema
from publish.services import services_publish
from tests.publish.conftest import PUBLISHED

BASE = "/api/v1"

SERVICE_PAGE = schema.page(schema.ANSWERED_LIST_ITEM)
TAXONOMY_PAGE = schema.page(schema.TAXONOMY_ITEM)


def errors(json_schema: dict, document) -> list[str]:
    validator = Draft7Validator(json_schema, format_checker=FormatChecker())
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(document)
    ]


def assert_valid(json_schema: dict, document) -> None:
    problems = errors(json_schema, document)
    assert not problems, "\n".join(problems)


def body(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    return json.loads(response.content)


def services_page(client, url: str, data: dict | None = None) -> dict:
    response = client.get(url, data or {})
    assert response.status_code == 200, response.content
    page = body(response)
    assert_valid(SERVICE_PAGE, page)
    for item in page["content"]:
        assert_valid(schema.SERVICE_LIST_ITEM, item)
    return page


def service(client, url: str) -> dict:
    """A `/services/{id}` document: valid ORUK 1.0, with every array the finders read."""
    response = client.get(url)
    assert response.status_code == 200, response.content
    document = body(response)
    assert_valid(schema.SERVICE, document)
    assert_valid(schema.ANSWERED_SERVICE, document)
    return document


def taxonomies_page(client, url: str) -> dict:
    """A `/taxonomies/` page: valid ORUK 1.0, each term with `parent` to the top (null there),
    which ServiceFinder reads as `item.parent === null` and `item.parent.parent`."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.content)
    page = body(response)
    assert_valid(TAXONOMY_PAGE, page)
    for item in page["content"]:
        while item is not None:
            assert "parent" in item, item
            item = item["parent"]
    return page


def ids(page: dict) -> set[str]:
    return {item["id"] for item in page["content"]}


# --- a world with LGA vocabularies, needs, circumstances and every collection ------------------


def _taxonomy(vocabulary: str, name: str) -> m.Taxonomy:
    return m.Taxonomy.objects.create(
        id=taxonomy_uuid(vocabulary), vocabulary=vocabulary, name=name, description=name
    )


def _term(taxonomy, code: str, name: str, parent=None, uri: str = "") -> m.TaxonomyTerm:
    return m.TaxonomyTerm.objects.create(
        taxonomy=taxonomy,
        term=code,
        name=name,
        description=name,
        parent=parent,
        taxonomy_label=taxonomy.vocabulary,
        term_uri=uri,
    )


def _tag(service, term) -> None:
    m.Attribute.objects.create(
        link_entity=m.LinkEntity.SERVICE, link_id=service.pk, taxonomy_term=term
    )


@pytest.fixture
def lga(world):
    """The conftest world, tagged with LGA service types, needs and circumstances mapped to
    them, ORUK 1.0 enumeration terms, contacts, phones, costs and a location's own schedule."""
    s = world.services
    esd = _taxonomy(LGA_SERVICE_TYPES, "LGA service types")
    community = _term(esd, "function:9", "Community", uri="http://id.esd.org.uk/function/9")
    clubs = _term(esd, "297", "Social clubs", community, "http://id.esd.org.uk/service/297")
    sport = _term(esd, "1149", "Sport", community, "http://id.esd.org.uk/service/1149")
    debt_advice = _term(esd, "651", "Debt counselling", uri="http://id.esd.org.uk/service/651")

    facilities = m.Need.objects.create(name="Community facilities", term="71")
    money = m.Need.objects.create(name="Money", term="money")
    debt_need = m.Need.objects.create(name="Debt", term="debt", parent=money)
    gender = m.Circumstance.objects.create(name="Gender", term="191")
    female = m.Circumstance.objects.create(name="Female", term="Gender_Female", parent=gender)
    older = m.Circumstance.objects.create(name="Older people", term="196")
    for from_term, service_type in ((facilities, clubs), (debt_need, debt_advice), (older, clubs)):
        m.TermMapping.objects.create(from_term=from_term, service_type=service_type)

    drop_in = _term(_taxonomy(ORUK_ATTENDING_ACCESS, "ORUK attending access"), "drop-in", "Drop-in")
    adult = _term(_taxonomy(ORUK_ELIGIBILITY, "ORUK eligibility"), "adult", "Adult")

    # A term of no taxonomy, only ORUK's free-text `taxonomy` (as an import may bring).
    warm = m.TaxonomyTerm.objects.create(
        taxonomy=None, taxonomy_label="Hull warm spaces", term="w1", name="Warm space",
        description="Warm space",
    )  # fmt: skip
    _tag(s["lunch"], clubs)
    _tag(s["lunch"], drop_in)
    _tag(s["lunch"], warm)
    _tag(s["youth"], sport)
    _tag(s["debt"], debt_advice)
    _tag(s["debt"], adult)
    contact = m.Contact.objects.create(service=s["lunch"], name="Club organiser", title="Lead")
    m.Phone.objects.create(contact=contact, number="01632 960001")
    m.CostOption.objects.create(service=s["lunch"], option="Per meal", amount=Decimal("3.50"))
    m.Language.objects.create(service=s["lunch"], name="English", code="en")
    m.Funding.objects.create(service=s["lunch"], source="Hull CVS")
    m.Phone.objects.create(service=s["debt"], number="0113 496 0000")
    youth_there = m.ServiceAtLocation.objects.get(service=s["youth"])
    m.Schedule.objects.create(
        service_at_location=youth_there,
        freq=m.Frequency.WEEKLY,
        interval=2,
        dtstart=dt.date(2026, 1, 3),
        byday="SA",
        opens_at=dt.time(9),
        closes_at=dt.time(12),
        description="Every other Saturday morning",
    )
    services_publish(service_ids=[x.pk for x in s.values()])
    world.terms.update(
        community=community, clubs=clubs, sport=sport, debt_advice=debt_advice,
        facilities=facilities, money=money, debt_need=debt_need, gender=gender, female=female,
        older=older, drop_in=drop_in, adult=adult, warm=warm,
    )  # fmt: skip
    return world


# --- the LGA Service Finder ---------------------------------------------------------------------


def lga_search_params(
    *, postcode="", distance_km=0, age_from=0, age_to=0, terms="", service_type_id=None
) -> dict:
    """`getSearchParams` of `src/shared/api/search.ts`: falsy values are left out."""
    params = {
        "postcode": postcode,
        "proximity": "" if distance_km == 0 else distance_km * 1000,
        "maximum_age": "" if age_to == 0 else age_to,
        "minimum_age": "" if age_from == 0 else age_from,
        "text": terms,
        "include": "contacts,service_at_locations",
    }
    if service_type_id:
        params["taxonomy_id"] = service_type_id
        params["vocabulary"] = "esdServiceTypes"
    return {key: value for key, value in params.items() if value}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, PUBLISHED),
        ({"terms": "lunch"}, {"lunch"}),
        ({"postcode": "HU1 1AA", "distance_km": 10}, {"lunch", "youth"}),
        ({"postcode": "HU1 1AA"}, {"lunch", "youth", "closed"}),  # no distance: coverage
        ({"age_from": 65, "age_to": 70}, {"lunch", "debt"}),
        ({"service_type_id": "297"}, {"lunch"}),
        ({"service_type_id": "651", "postcode": "LS1 1UR", "distance_km": 5}, {"debt"}),
        ({"service_type_id": "999"}, set()),  # a mapped type we do not use: no services
    ],
)
def test_lga_service_finder_searches(client, lga, options, expected):
    page = services_page(client, f"{BASE}/services", lga_search_params(**options))
    assert ids(page) == lga.ids(*expected)
    for item in page["content"]:
        assert set(item) >= {"contacts", "service_at_locations"}
        assert "service_taxonomys" not in item  # not asked for


def test_lga_service_finder_pages_through_and_stops(client, lga):
    """`multiSearch` asks for page+1 until `totalPages <= number`."""
    params, seen, requests = lga_search_params(), [], 0
    while True:
        page = services_page(client, f"{BASE}/services", {**params, "per_page": 3})
        requests += 1
        seen += [item["id"] for item in page["content"]]
        if page["totalPages"] <= page["number"]:
            break
        params["page"] = str(int(params.get("page", "1")) + 1)
    assert requests == 2
    assert sorted(seen) == sorted(lga.ids(*PUBLISHED))


def test_lga_service_finder_service_page_reads_its_members(client, lga):
    """`ServiceInfo.tsx` fetches `${apiUrl}/${id}` and reads badges, locations and addresses."""
    lunch = service(client, f"{BASE}/services/{lga.services['lunch'].pk}")
    badges = [
        t["taxonomy"] for t in lunch["service_taxonomys"]
        if t["taxonomy"].get("vocabulary") == "esdServiceTypes"
    ]  # fmt: skip
    assert badges == [{"id": "297", "name": "Social clubs", "vocabulary": "esdServiceTypes"}]
    location = lunch["service_at_locations"][0]["location"]
    assert location["physical_addresses"][0]["postal_code"] == "HU1 1AA"
    assert isinstance(location["latitude"], float)
    assert lunch["contacts"] == [
        {
            "id": str(m.Contact.objects.get().pk),
            "name": "Club organiser",
            "title": "Lead",
            "phones": [{"id": str(m.Phone.objects.get(contact__isnull=False).pk),
                        "number": "01632 960001"}],
        }
    ]  # fmt: skip
    assert lunch["attending_access"] == "drop-in"
    assert lunch["cost_options"][0]["amount"] == "3.50"
    assert lunch["languages"][0]["language"] == "en"
    assert lunch["fundings"][0]["source"] == "Hull CVS"
    assert lunch["regular_schedules"][0] == {
        "id": str(m.Schedule.objects.get(service=lga.services["lunch"]).pk),
        "opens_at": "10:00",
        "closes_at": "12:00",
        "freq": "WEEKLY",
        "byday": "TU",
        "description": "Tuesdays and Thursdays, 10am to 12pm",
    }
    assert lunch["eligibilitys"][0]["minimum_age"] == 60


# --- ServiceFinder ----------------------------------------------------------------------------


def encode_uri(url: str) -> str:
    """JavaScript's `encodeURI`."""
    return quote(url, safe=";,/?:@&=+$!*'()#")


def query_direction(
    base, *, circumstances=(), coverage="", day=(), maximum_age="", minimum_age="",
    end_time=(), need=(), page="", per_page="", postcode="", proximity_miles="",
    start_time=(), taxonomy_id="", text="", vocabulary="",
) -> str:  # fmt: skip
    """`Query_direction` of `src/settings/settings.js`, in its order, with its trailing `&`."""
    url = base + "/services/?"
    url += "".join(f"circumstance={c}&" for c in circumstances if c)
    url += f"coverage={coverage}&" if coverage else ""
    url += "".join(f"day={d}&" for d in day if d)
    url += "".join(f"endTime={t}&" for t in end_time if t)
    url += f"maximum_age={maximum_age}&" if maximum_age != "" else ""
    url += f"minimum_age={minimum_age}&" if minimum_age != "" else ""
    url += "".join(f"need={n}&" for n in need if n)
    url += f"page={page}&" if page != "" else ""
    url += f"per_page={per_page}&" if per_page != "" else ""
    url += f"postcode={postcode}&" if postcode else ""
    url += f"proximity={int(proximity_miles) * 1609}&" if proximity_miles != "" else ""
    url += "".join(f"startTime={t}&" for t in start_time if t)
    url += f"taxonomy_id={taxonomy_id}&" if taxonomy_id else ""
    url += f"text={text}&" if text else ""
    url += f"vocabulary={vocabulary}&" if vocabulary else ""
    return encode_uri(url)


MORNING, AFTERNOON, EVENING, ALL_DAY = (
    ("06:00", "14:00"),
    ("12:00", "19:00"),
    ("18:00", "23:59"),
    ("00:00", "23:59"),
)  # `getElements` in src/functions/GeneralFunctions.js


def availability(*sets: tuple[str, tuple[str, str]]) -> dict:
    return {
        "day": [d for d, _ in sets],
        "start_time": [t[0] for _, t in sets],
        "end_time": [t[1] for _, t in sets],
    }


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, PUBLISHED),
        ({"text": "lunch club"}, {"lunch"}),
        ({"need": ["need:71"]}, {"lunch"}),
        ({"need": ["need:money"]}, {"debt"}),  # a need's sub-needs count
        ({"need": ["need:71", "need:debt"]}, {"lunch", "debt"}),
        ({"circumstances": ["circumstance:196"]}, {"lunch"}),
        ({"circumstances": ["circumstance:196"], "need": ["need:debt"]}, set()),
        ({"taxonomy_id": "function:9", "vocabulary": "esdServiceTypes"}, {"lunch", "youth"}),
        ({"minimum_age": "15", "maximum_age": "15"}, {"youth"}),  # "age" as one value
        ({"minimum_age": "0", "maximum_age": "12"}, {"youth", "closed"}),
        ({"postcode": "HU1 1AA", "proximity_miles": "3"}, {"lunch", "youth"}),
        (availability(("TU", MORNING)), {"lunch"}),
        (availability(("TU", EVENING), ("FR", EVENING)), {"youth"}),
        (availability(("MO", ALL_DAY)), set()),
        (availability(("SA", MORNING)), {"youth"}),  # a location's own schedule
        ({**availability(("WE", AFTERNOON)), "text": "football"}, {"youth"}),
    ],
)
def test_servicefinder_searches(client, lga, options, expected):
    page_url = query_direction(BASE, page=1, per_page=10, **options)
    page = services_page(client, page_url)
    assert ids(page) == lga.ids(*expected)
    assert page["number"] == 1 and page["first"] is True


def test_servicefinder_loads_its_taxonomies_exactly_as_it_asks(client, lga):
    """`API_directions.get` (with the gender URL's trailing space, which the browser encodes)."""
    urls = {
        "needs": f"{BASE}/taxonomies/?per_page=500&vocabulary=esdNeeds",
        "circumstances": f"{BASE}/taxonomies/?per_page=500&vocabulary=esdCircumstances",
        "serviceTypes": f"{BASE}/taxonomies/?per_page=500&vocabulary=esdServiceTypes",
        "gender": f"{BASE}/taxonomies/?vocabulary=esdCircumstances&per_page=500"
        "&parent_id=circumstance:191%20",
    }
    pages = {name: taxonomies_page(client, url) for name, url in urls.items()}
    assert {t["id"] for t in pages["needs"]["content"]} == {"need:71", "need:money", "need:debt"}
    assert {t["id"] for t in pages["gender"]["content"]} == {"circumstance:Gender_Female"}
    # `getCircumstancesData` sorts by depth through `parent` and `parent.parent`.
    female = next(t for t in pages["circumstances"]["content"] if t["name"] == "Female")
    assert female["parent"] == {
        "id": "circumstance:191", "name": "Gender", "vocabulary": "esdCircumstances",
        "parent": None,
    }  # fmt: skip
    # `TypeComponent` offers the top-level service types (`item.parent === null`).
    tops = {t["id"] for t in pages["serviceTypes"]["content"] if t["parent"] is None}
    assert tops == {"function:9", "651"}
    sport = next(t for t in pages["serviceTypes"]["content"] if t["id"] == "1149")
    assert sport["parent"]["id"] == "function:9"
    # `getItemsFromData` matches persona needs as `need:<id>`: ours come back in that form.
    persona = {"71"}
    assert [t["id"] for t in pages["needs"]["content"] if t["id"][5:] in persona] == ["need:71"]


def test_servicefinder_opens_a_service_by_its_id(client, lga):
    """`ResultModal` asks for `API_URL_BASE + '/services/' + id` and reads `.length` of its
    arrays; a base URL ending in `/` gives a doubled slash."""
    for url in (
        f"{BASE}/services/{lga.services['debt'].pk}",
        f"{BASE}//services/{lga.services['debt'].pk}",
        f"{BASE}/services/{lga.services['debt'].pk}/",
    ):
        debt = service(client, url)
    assert debt["service_at_locations"][0]["location"]["physical_addresses"][0]["city"] == "Hull"
    # The service's own phone is carried as a contact: 1.0 has phones only on contacts.
    assert [p["number"] for c in debt["contacts"] for p in c["phones"]] == ["0113 496 0000"]
    assert debt["eligibilitys"] == [
        {"id": str(m.Attribute.objects.get(taxonomy_term=lga.terms["adult"]).pk),
         "eligibility": "adult", "minimum_age": 18}
    ]  # fmt: skip


# --- every answer, every shape -------------------------------------------------------------------


def test_every_item_of_every_page_validates_and_every_detail_too(client, lga):
    everything = ",".join(schema.COLLECTIONS)
    for include in ("", everything):
        page = services_page(client, f"{BASE}/services/", {"per_page": 2, "include": include})
        walked = []
        for number in range(1, page["totalPages"] + 1):
            page = services_page(
                client, f"{BASE}/services/", {"per_page": 2, "page": number, "include": include}
            )
            walked += page["content"]
        assert {item["id"] for item in walked} == lga.ids(*PUBLISHED)
        for item in walked:
            if include:
                assert_valid(schema.ANSWERED_SERVICE, item)
    for name in PUBLISHED:
        service(client, f"{BASE}/services/{lga.services[name].pk}")
    youth = service(client, f"{BASE}/services/{lga.services['youth'].pk}")
    assert youth["service_at_locations"][0]["regular_schedule"][0]["interval"] == "2"
    taxonomies = taxonomies_page(client, f"{BASE}/taxonomies/?per_page=1000")
    assert taxonomies["totalElements"] == m.TaxonomyTerm.objects.count()


def test_the_schema_catches_what_the_finders_would_trip_on(lga, client):
    lunch = body(client.get(f"{BASE}/services/{lga.services['lunch'].pk}"))
    del lunch["contacts"][0]["phones"]
    lunch["status"] = "open"
    lunch["regular_schedules"][0]["opens_at"] = "10:00:00"
    found = errors(schema.SERVICE, lunch)
    assert not any("phones" in e for e in found)  # 1.0 lets a contact have no phones...
    assert any("phones" in e for e in errors(schema.ANSWERED_SERVICE, lunch))  # ...we do not
    assert any(e.startswith("status") for e in found)
    assert any(e.startswith("regular_schedules/0/opens_at") for e in found)


def test_only_published_services_within_the_feed_are_served(client, lga):
    assert ids(services_page(client, f"{BASE}/services/", {"per_page": 100})) == lga.ids(*PUBLISHED)
    for name in ("never", "defunct", "stale", "hidden"):
        response = client.get(f"{BASE}/services/{lga.services[name].pk}")
        assert response.status_code == 404, name
        assert body(response)["error"] == "not_found"


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (1, {"number": 1, "size": 3, "first": True, "last": False, "empty": False}),
        (2, {"number": 2, "size": 1, "first": False, "last": True, "empty": False}),
        (3, {"number": 3, "size": 0, "first": False, "last": True, "empty": True}),
    ],
)
def test_spring_page_counts_from_one(client, lga, page, expected):
    envelope = services_page(client, f"{BASE}/services/", {"per_page": 3, "page": page})
    assert (envelope["totalElements"], envelope["totalPages"]) == (4, 2)
    assert envelope["size"] == len(envelope["content"])
    assert {key: envelope[key] for key in expected} == expected


def test_no_matches_is_zero_pages(client, lga):
    envelope = services_page(client, f"{BASE}/services/", {"text": "zzzzzz"})
    assert {k: envelope[k] for k in ("totalElements", "totalPages", "number", "first", "last")} == {
        "totalElements": 0, "totalPages": 0, "number": 1, "first": True, "last": True,
    }  # fmt: skip
    assert envelope["empty"] is True and envelope["content"] == []


def test_include_adds_only_the_collections_named(client, lga):
    bare = services_page(client, f"{BASE}/services/", {"text": "lunch"})["content"][0]
    assert set(bare) - set(schema.COLLECTIONS) == set(bare)
    assert bare["organization"]["name"] == "Older Friends Hull"
    repeated = services_page(
        client,
        f"{BASE}/services/?text=lunch&include=service_taxonomys&include=regular_schedules",
    )["content"][0]
    assert set(repeated) & set(schema.COLLECTIONS) == {"service_taxonomys", "regular_schedules"}


# --- filters and their 1.0 forms ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("taxonomy_id=297&vocabulary=esdServiceTypes", {"lunch"}),
        ("taxonomy_id=esdServiceType:297&vocabulary=esdServiceTypes", {"lunch"}),
        ("taxonomy_id=esdServiceType:297", {"lunch"}),
        ("taxonomy_id=http://id.esd.org.uk/service/297&vocabulary=esdServiceTypes", {"lunch"}),
        ("taxonomy_id=297&vocabulary=esdServiceTypes&taxonomy_type=service", {"lunch"}),
        ("taxonomy_id=function:9&vocabulary=esdServiceTypes", {"lunch", "youth"}),
        ("taxonomy_id=function:9&taxonomy_id=1149&vocabulary=esdServiceTypes", {"youth"}),
        ("taxonomy_id=297&vocabulary=esdNeeds", set()),
        ("taxonomy_id=297&vocabulary=noSuchList", set()),
        ("service_type=297&service_type=651", {"lunch", "debt"}),
        ("need=esdNeed:71", {"lunch"}),
        ("need=71", {"lunch"}),
        ("circumstance=esdCircumstance:196", {"lunch"}),
        ("coverage=LS1%201UR", {"debt", "youth", "closed"}),
        ("proximity=100", PUBLISHED),  # no postcode: ignored, as the reference API does
        ("start_time=18:00", {"youth"}),  # "all services after 6pm", the 1.0 API page's example
        ("day=WE,FR&startTime=19:00&endTime=21:00", {"youth"}),
        ("minimum_age=18&maximum_age=30", {"youth", "debt"}),
    ],
)
def test_filters(client, lga, params, expected):
    assert ids(services_page(client, f"{BASE}/services/?{params}")) == lga.ids(*expected)


def test_our_own_ids_work_everywhere(client, lga):
    befriending = lga.terms["befriending"]  # a conftest term: no vocabulary, so its UUID
    lunch = service(client, f"{BASE}/services/{lga.services['lunch'].pk}")
    assert {
        "id": str(befriending.pk),
        "name": "Befriending",
        "vocabulary": str(befriending.taxonomy_id),
    } in [t["taxonomy"] for t in lunch["service_taxonomys"]]
    page = services_page(client, f"{BASE}/services/?taxonomy_id={befriending.pk}")
    assert ids(page) == lga.ids("lunch")
    page = services_page(
        client,
        f"{BASE}/services/?taxonomy_id={befriending.pk}&vocabulary={befriending.taxonomy_id}",
    )
    assert ids(page) == lga.ids("lunch")
    social = lga.terms["social"]
    children = taxonomies_page(client, f"{BASE}/taxonomies/?parent_id={social.pk}")
    assert [t["id"] for t in children["content"]] == [str(befriending.pk)]
    # A term of no taxonomy goes by its free-text `taxonomy`, both ways.
    warm = {"id": str(lga.terms["warm"].pk), "name": "Warm space", "vocabulary": "Hull warm spaces"}
    assert warm in [t["taxonomy"] for t in lunch["service_taxonomys"]]
    listed = taxonomies_page(client, f"{BASE}/taxonomies/?vocabulary=Hull%20warm%20spaces")
    assert listed["content"] == [{**warm, "parent": None}]


def test_every_service_taxonomy_finds_its_service_as_the_10_validator_asks(client, lga):
    """The 1.0 validator's `TaxonomyTest` asks `/services?taxonomy_id={id}&vocabulary={voc}` for
    each service's `service_taxonomys[].taxonomy` (OpenReferralUK/human-services
    `ImplementationTools/ServiceDirectory.Common/FeatureTests/TaxonomyTest.cs`)."""
    for name in PUBLISHED:
        document = service(client, f"{BASE}/services/{lga.services[name].pk}")
        for item in document["service_taxonomys"]:
            found = services_page(
                client,
                f"{BASE}/services/",
                {
                    "taxonomy_id": item["taxonomy"]["id"],
                    "vocabulary": item["taxonomy"]["vocabulary"],
                },
            )
            assert document["id"] in ids(found), item


def test_proximity_orders_nearest_first(client, lga):
    page = services_page(client, f"{BASE}/services", {"postcode": "HU5 3QA", "proximity": 200000})
    assert [item["id"] for item in page["content"]][:2] == [
        str(lga.services["youth"].pk),
        str(lga.services["lunch"].pk),
    ]


def test_taxonomies_filters_and_detail(client, lga):
    def listed(query: str) -> set[str]:
        page = taxonomies_page(client, f"{BASE}/taxonomies/?{query}")
        return {t["id"] for t in page["content"]}

    assert listed("vocabulary=esdServiceTypes&root_only=true") == {"function:9", "651"}
    assert listed("vocabulary=esdServiceTypes&parent_id=function:9") == {"297", "1149"}
    assert listed("vocabulary=LGA%20service%20types&text=sport") == {"1149"}
    assert listed(f"vocabulary={taxonomy_uuid(LGA_SERVICE_TYPES)}&text=sport") == {"1149"}
    assert listed("vocabulary=noSuchList") == set()
    assert listed("parent_id=circumstance:999") == set()
    for form in ("need:71", "esdNeed:71", str(lga.terms["facilities"].pk)):
        detail = body(client.get(f"{BASE}/taxonomies/{form}"))
        assert detail == {
            "id": "need:71", "name": "Community facilities", "vocabulary": "esdNeeds",
            "parent": None,
        }  # fmt: skip
    missing = client.get(f"{BASE}/taxonomies/need:nothing")
    assert missing.status_code == 404 and body(missing)["error"] == "not_found"


# --- errors, headers, URLs, cost -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("colour=red", "colour"),
        ("page=0", "page"),
        ("page=two", "page"),
        ("per_page=100000", "per_page"),
        ("text=a&text=b", "text"),
        ("postcode=XX1", "postcode"),
        ("postcode=ZZ99%209ZZ&proximity=10", "postcode"),
        ("postcode=HU1%201AA&proximity=-5", "proximity"),
        ("coverage=nowhere", "coverage"),
        ("minimum_age=old", "minimum_age"),
        ("minimum_age=30&maximum_age=20", "maximum_age"),
        ("day=XX", "day"),
        ("startTime=25:00", "startTime"),
        ("startTime=14:00&endTime=10:00", "endTime"),
        ("include=everything", "include"),
        ("taxonomy_id=1&taxonomy_id=2&vocabulary=a&vocabulary=b&vocabulary=c", "taxonomy_id"),
        ("taxonomy_id=1&taxonomy_id=2&taxonomy_id=3&vocabulary=a&vocabulary=b", "vocabulary"),
        ("taxonomy_id=1&taxonomy_type=planet", "taxonomy_type"),
    ],
)
def test_bad_parameters_answer_400_naming_them(client, lga, query, parameter):
    response = client.get(f"{BASE}/services/?{query}")
    assert response.status_code == 400, response.content
    assert body(response)["error"] == "bad_request"
    assert body(response)["parameter"] == parameter


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("per_page=10001", "per_page"), ("root_only=maybe", "root_only"), ("need=1", "need")],
)
def test_bad_taxonomy_parameters_answer_400(client, lga, query, parameter):
    response = client.get(f"{BASE}/taxonomies/?{query}")
    assert response.status_code == 400
    assert body(response)["parameter"] == parameter


def test_unknown_ids_and_paths_answer_404_json(client, lga):
    for path in (
        "/services/7b0c3f52-0000-4000-8000-000000000000",
        "/services/not-one-of-ours",
        "/organizations/",
        "/services/1/2",
    ):
        response = client.get(BASE + path)
        assert response.status_code == 404, path
        assert body(response)["error"] == "not_found"


def test_every_answer_is_open_to_any_origin(client, lga):
    for path in ("/", "/services/", "/taxonomies/", "/services/nope", "/services/?page=0"):
        response = client.get(BASE + path)
        assert response["Access-Control-Allow-Origin"] == "*", path
    preflight = client.options(
        f"{BASE}/services/",
        headers={"Origin": "https://finder.example", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == "*"


def test_root_names_the_endpoints(client, lga):
    root = body(client.get(f"{BASE}/"))
    assert root["services"] == "http://testserver/api/v1/services/"
    assert root["taxonomies"] == "http://testserver/api/v1/taxonomies/"


def test_conditional_get_answers_304_until_the_feed_changes(client, lga):
    first = client.get(f"{BASE}/services/?need=need:71")
    again = client.get(f"{BASE}/services/?need=need:71", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    m.TermMapping.objects.create(
        from_term=lga.terms["facilities"], service_type=lga.terms["debt_advice"]
    )
    changed = client.get(f"{BASE}/services/?need=need:71", headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert ids(body(changed)) == lga.ids("lunch", "debt")


def test_other_feeds_are_served_in_10_too(client, lga):
    from publish.models import Feed

    feed = Feed.objects.create(slug="sport", name="Sport", is_active=True)
    feed.taxonomy_terms.add(lga.terms["sport"])
    page = services_page(client, f"{BASE}/feeds/sport/services/")
    assert ids(page) == lga.ids("youth")
    assert client.get(f"{BASE}/feeds/nothing/services/").status_code == 404


QUERIES = [
    f"{BASE}/services/?include=contacts,service_at_locations&text=lunch%20club",
    f"{BASE}/services/?include={','.join(schema.COLLECTIONS)}",
    query_direction(
        BASE,
        need=["need:71"],
        circumstances=["circumstance:196"],
        day=["TU"],
        start_time=["06:00"],
        end_time=["14:00"],
        postcode="HU1 1AA",
        proximity_miles="3",
        taxonomy_id="function:9",
        vocabulary="esdServiceTypes",
        minimum_age="60",
        maximum_age="70",
    ),
    f"{BASE}/taxonomies/?vocabulary=esdCircumstances&parent_id=circumstance:191",
    f"{BASE}/taxonomies/?vocabulary=esdServiceTypes",
]


@pytest.mark.parametrize("url", QUERIES)
def test_a_page_costs_the_same_queries_whatever_its_size(
    client, lga, django_assert_max_num_queries, url
):
    counts = []
    for per_page in (1, 50):
        paged = url + ("&" if "?" in url else "?") + f"per_page={per_page}"
        client.get(paged)  # warm the cached feed, taxonomy list and count
        with CaptureQueriesContext(connection) as queries:
            assert client.get(paged + "&page=1").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(12):
        client.get(url + ("&" if "?" in url else "?") + "per_page=50&page=1")
