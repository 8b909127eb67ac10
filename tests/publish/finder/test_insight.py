"""Search insight: recording searches without personal data, pruning old records, and the
directory admins' page (who may see it, what it shows, filters, paging, query counts)."""

from __future__ import annotations

import datetime as dt
import logging
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.policy import Action
from publish.finder import insight
from publish.finder.insight import clean_words, record_search, search_records_prune
from publish.finder.models import SearchKind, SearchRecord
from publish.finder.search import FinderQuery
from tests.accounts.matrix import build_world, cases
from tests.auth import sign_in
from tests.factories import TaxonomyTermFactory

pytestmark = pytest.mark.django_db

URL = "/staff/search-insight/"


def record(text: str = "", *, count: int = 0, district: str = "", month=None, **filters):
    return SearchRecord.objects.create(
        text=text,
        result_count=count,
        postcode_district=district,
        month=month or timezone.localdate().replace(day=1),
        filters=filters,
    )


# --- recording ----------------------------------------------------------------------------


def test_a_search_is_recorded_without_personal_data():
    query = FinderQuery(
        text="  Food   BANK ",
        postcode="hu9 3ab",
        within_miles=2.0,
        languages=("Polish", "Arabic"),
        days=("SA",),
        open_now=True,
    )
    record_search(query=query, result_count=3, kind=SearchKind.KEYWORD)
    saved = SearchRecord.objects.get()
    assert saved.text == "food bank"
    assert saved.postcode_district == "HU9"
    assert saved.month == timezone.localdate().replace(day=1)
    assert saved.result_count == 3
    assert saved.kind == SearchKind.KEYWORD
    assert saved.filters == {
        "within_miles": 2.0,
        "days": ["SA"],
        "open_now": True,
        "languages": ["Arabic", "Polish"],
    }
    assert "postcode" not in saved.filters
    assert "3AB" not in str(saved.filters).upper()


def test_postcodes_emails_and_phone_numbers_typed_as_words_are_not_kept():
    assert clean_words("Debt advice near HU9 3AB") == "debt advice near hu9"
    assert clean_words("help for jo.bloggs@example.com please") == "help for please"
    assert clean_words("call 01482 123 456 or +44 7700 900123") == "call or"
    assert clean_words("for a 15 year old") == "for a 15 year old"


def test_a_search_with_no_postcode_and_no_filters_keeps_only_its_words():
    record_search(query=FinderQuery(text="Befriending"), result_count=0, kind=SearchKind.BROWSE)
    saved = SearchRecord.objects.get()
    assert (saved.text, saved.postcode_district, saved.filters, saved.kind) == (
        "befriending",
        "",
        {},
        SearchKind.BROWSE,
    )


def test_words_are_cut_to_the_columns_length():
    record_search(query=FinderQuery(text="word " * 100), result_count=1, kind=SearchKind.KEYWORD)
    assert len(SearchRecord.objects.get().text) <= 200


def test_an_unknown_postcode_keeps_no_district():
    record_search(query=FinderQuery(postcode="not a postcode"), result_count=0, kind="keyword")
    assert SearchRecord.objects.get().postcode_district == ""


def test_a_failure_to_record_never_breaks_the_search(caplog):
    with (
        mock.patch.object(SearchRecord.objects, "create", side_effect=RuntimeError("disk full")),
        caplog.at_level(logging.ERROR, logger="publish.finder.insight"),
    ):
        record_search(query=FinderQuery(text="food"), result_count=1, kind=SearchKind.KEYWORD)
    assert "Could not record a search" in caplog.text
    assert not SearchRecord.objects.exists()


def test_records_older_than_the_retention_period_are_pruned(settings):
    settings.PORTAL_SEARCH_RECORD_MONTHS = 25
    today = dt.date(2026, 3, 14)
    kept = [record("new", month=dt.date(2026, 3, 1)), record("edge", month=dt.date(2024, 2, 1))]
    record("old", month=dt.date(2024, 1, 1))
    record("older", month=dt.date(2020, 6, 1))
    assert search_records_prune(today=today) == 2
    assert set(SearchRecord.objects.values_list("pk", flat=True)) == {r.pk for r in kept}


def test_pruning_is_scheduled_nightly():
    from workflow.schedules import SCHEDULES

    funcs = {job.func for job in SCHEDULES}
    assert "publish.finder.insight.search_records_prune" in funcs


# --- who may see the page -----------------------------------------------------------------

INSIGHT_CASES = [case for case in cases() if case.action == Action.VIEW_SEARCH_INSIGHT]


@pytest.mark.parametrize("case", INSIGHT_CASES, ids=lambda case: case.id)
def test_the_page_follows_the_permission_matrix(client, case):
    world = build_world()
    if case.role != "anonymous":
        sign_in(client, world.user(case.role))
    response = client.get(reverse("finder:search-insight"))
    if case.expected:
        assert response.status_code == 200
    elif case.role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:sign-in"))
    else:
        assert response.status_code == 403
        assert b"You do not have permission" in response.content


def test_directory_admins_find_the_page_in_the_navigation_and_on_their_account(
    client, directory_admin
):
    sign_in(client, directory_admin)
    account = client.get(reverse("accounts:account")).content.decode()
    assert f'href="{URL}"' in account
    assert "Search insight" in account


def test_others_are_not_shown_the_link(client, frontline_worker):
    sign_in(client, frontline_worker)
    account = client.get(reverse("accounts:account")).content.decode()
    assert URL not in account


# --- what the page shows ------------------------------------------------------------------


@pytest.fixture
def admin(client, directory_admin):
    return sign_in(client, directory_admin)


def test_zero_result_and_frequent_searches_with_counts(admin):
    food_banks = TaxonomyTermFactory(name="Food banks")
    this_month = timezone.localdate().replace(day=1)
    for _ in range(3):
        record("halal food bank", district="HU9", service_types=[str(food_banks.pk)])
    record("halal food bank", district="HU3", service_types=[str(food_banks.pk)])
    record("lunch club", count=4, district="HU9")
    record("lunch club", count=2, district="HU9")
    record("lunch club", district="HU5")
    response = admin.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "7 searches in all months, all areas; 5 found nothing." in page
    zero = response.context["zero"]["rows"]
    assert [row[0]["value"] for row in zero] == ["halal food bank", "lunch club"]
    first = [c["value"] for c in zero[0]]
    assert first[1] == "Service type: Food banks"
    assert first[3:6] == [4, 2, timezone.localdate().replace(day=1).strftime("%B %Y")]
    frequent = response.context["frequent"]["rows"]
    assert [[c["value"] for c in row] for row in frequent] == [
        ["halal food bank", 4, 4, 0],
        ["lunch club", 3, 1, 2],
    ]
    areas = response.context["areas"]["rows"]
    assert [[c["value"] for c in row] for row in areas] == [
        ["HU9", 5, 3, "60%"],
        ["HU3", 1, 1, "100%"],
        ["HU5", 1, 1, "100%"],
    ]
    assert this_month.strftime("%B %Y") in page


def test_filters_are_labelled_and_unknown_terms_do_not_break_the_page(admin):
    record(
        "",
        needs=["not-a-uuid", "3f1b7c52-5a43-4d5e-9d0a-000000000000"],
        attending=["drop_in"],
        days=["SA"],
        open_now=True,
        age=15,
    )
    response = admin.get(URL)
    text = response.context["zero"]["rows"][0][1]["value"]
    assert text == (
        "Need: A term no longer listed, A term no longer listed; Age: 15; "
        "How to attend: Drop in; Day: Saturday; Open now: Yes"
    )
    assert "(no words: filters only)" in response.content.decode()


def test_filtering_by_month_and_area(admin):
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=1)
    record("swimming", district="HU9", month=this_month)
    record("swimming", district="HU5", month=this_month)
    record("allotments", district="HU9", month=last_month)

    response = admin.get(URL, {"month": last_month.isoformat(), "area": ""})
    assert [row[0]["value"] for row in response.context["frequent"]["rows"]] == ["allotments"]
    assert f"in {last_month.strftime('%B %Y')}, all areas" in response.content.decode()

    response = admin.get(URL, {"month": "", "area": "HU5"})
    assert [r[0]["value"] for r in response.context["frequent"]["rows"]] == ["swimming"]
    assert response.context["totals"] == {"searches": 1, "found_nothing": 1}


@pytest.mark.parametrize(
    "params, message",
    [
        ({"month": "2019-13-01"}, "Select a month from the list"),
        ({"month": "yesterday"}, "Select a month from the list"),
        ({"area": "ZZ99"}, "Select an area from the list"),
        ({"area": "<script>"}, "Select an area from the list"),
    ],
)
def test_bad_filters_give_an_error_message_not_a_500(admin, params, message):
    record("swimming", district="HU9")
    response = admin.get(URL, params)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert "<title>Error: Search insight" in page
    # Everything is shown while the filters are wrong.
    assert response.context["totals"]["searches"] == 1


@pytest.mark.parametrize("page", ["0", "-1", "999", "abc", ""])
def test_odd_page_numbers_are_forgiven(admin, page):
    record("swimming")
    response = admin.get(URL, {"page": page, "zero": page, "areas": page})
    assert response.status_code == 200


def test_each_table_pages_on_its_own(admin, settings):
    settings.PORTAL_STAFF_PER_PAGE = 2
    for number in range(5):
        record(f"search {number}", district=f"HU{number + 1}")
    first = admin.get(URL)
    assert first.context["zero"]["count"] == 5
    assert "?zero=2" in first.content.decode()
    second = admin.get(URL, {"zero": "2"})
    assert len(second.context["zero"]["rows"]) == 2
    assert (
        second.context["zero"]["rows"][0][0]["value"]
        != first.context["zero"]["rows"][0][0]["value"]
    )
    # The other tables stay on their first page.
    assert second.context["frequent"]["rows"] == first.context["frequent"]["rows"]


def test_the_page_makes_the_same_number_of_queries_however_many_searches(
    admin, settings, django_assert_max_num_queries
):
    settings.PORTAL_STAFF_PER_PAGE = 50
    terms = [TaxonomyTermFactory(name=f"Type {n}") for n in range(3)]
    record("one", district="HU1", service_types=[str(terms[0].pk)])
    admin.get(URL)  # warm the session and caches
    with django_assert_max_num_queries(40) as small:
        admin.get(URL)
    months = [timezone.localdate().replace(day=1) - dt.timedelta(days=40 * n) for n in range(6)]
    for number in range(60):
        record(
            f"search {number}",
            district=f"HU{number % 12}",
            month=months[number % 6].replace(day=1),
            service_types=[str(terms[number % 3].pk)],
            needs=[str(terms[(number + 1) % 3].pk)],
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        admin.get(URL)


def test_selection_reads_only_the_chosen_records():
    this_month = timezone.localdate().replace(day=1)
    record("a", district="HU9")
    record("b", district="HU5")
    selection = insight.InsightFilter(month=this_month, area="HU9")
    assert list(selection.records().values_list("text", flat=True)) == ["a"]
    assert insight.areas_recorded() == ["HU5", "HU9"]
    assert insight.months_recorded() == [this_month]
