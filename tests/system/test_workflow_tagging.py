"""A provider tags their service with the assistant's suggestion, searches the list, chooses too
many service types and is warned to focus, then sends the change; the allocated assurer sees the
same warning on the review page."""

from __future__ import annotations

from accounts.models import User
from directory.models import TaxonomyTerm
from tests.auth import totp_device
from tests.system.people import person_email, providers_service_the_assurer_assures, sign_in
from workflow.models import ChangeRequest, State
from workflow.tagging import suggest
from workflow.tagging.classification import service_types

ASSURER = person_email("assurer@demo.example")
PROVIDER = person_email("provider@demo.example")
WARNING = "Focus on the main service you deliver"


def test_a_provider_tags_a_service_and_the_assurer_sees_the_warning(
    portal, open_portal, world, javascript
):
    suggest.reset_index()  # each browser test seeds its own database
    service = providers_service_the_assurer_assures()
    totp_device(User.objects.get(email=PROVIDER))
    sign_in(portal, PROVIDER, world.password)

    portal.visit(f"/staff/services/{service.pk}/")
    portal.press("Edit this service")
    portal.follow("What the service is (tags)")
    assert portal.heading().endswith("What the service is (tags)")

    # The assistant's first suggestion, with its reasons, added with one tick.
    suggested = portal.page.locator("fieldset").filter(has_text="Suggested for this service")
    first = suggested.locator(".govuk-checkboxes__label").first.inner_text().strip()
    portal.sees("assured services tagged")
    portal.choose(first, within=suggested).press("Save and continue")
    portal.sees("your changes are saved as a draft")
    portal.follow("What the service is (tags)")
    listed = portal.page.locator("fieldset").filter(has_text="The Local Government Association")
    assert portal.field(first, within=listed).is_checked()

    # Searching the list: as you type with JavaScript, with the Search button without it.
    portal.type("Search the lists", "food")
    if not javascript:
        portal.press("Search")
    else:
        portal.sees("match “food”")
    assert portal.field("Food banks", within=listed).is_visible()
    assert not portal.field("Legal advice", within=listed).is_visible()
    portal.type("Search the lists", "")
    if not javascript:
        portal.press("Search")

    # Three more types than the one chosen: too many.
    chosen = {first}
    for term in service_types().exclude(name=first).order_by("name")[:3]:
        portal.choose(term.name, within=listed)
        chosen.add(term.name)
    portal.press("Save and continue")
    portal.follow("What the service is (tags)")
    # Its own type(s) from before, the suggestion and three more.
    portal.sees(WARNING).sees("service types (choose 3 or fewer)")

    portal.follow("Back to the sections")
    portal.press("Check your changes")
    portal.sees(WARNING)
    portal.press("Send")
    portal.sees("Your change has been sent for assurance")
    change_request = ChangeRequest.objects.get(service=service)
    assert change_request.state == State.SUBMITTED
    names = set(
        TaxonomyTerm.objects.filter(
            pk__in=[
                a["taxonomy_term_id"] if "taxonomy_term_id" in a else a["taxonomy_term"]["id"]
                for a in change_request.proposed["attributes"]
            ]
        ).values_list("name", flat=True)
    )
    assert chosen <= names

    assurer = open_portal()
    totp_device(User.objects.get(email=ASSURER))
    sign_in(assurer, ASSURER, world.password)
    assurer.visit("/staff/assurance/")
    assurer.follow(service.name)
    assert assurer.heading() == f"Review the change to {service.name}"
    assurer.sees(WARNING).sees("service types (choose 3 or fewer)")
