"""The sections of a proposal, as its task list shows them: which parts of the ORUK service
document each edits, with which form, and the repeating items (phones, locations, sessions...)
each holds. A change to an organisation's details has its own, shorter, table
(`ORGANIZATION_SECTIONS`); `sections_for` picks one by the change request's subject. The editing
views (workflow.views.editing) walk these tables; nothing here writes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from directory.oruk.closures import is_closure

from . import forms as f
from .models import Subject
from .presenters import describe_item
from .tagging.screen import tagging_context


@dataclass(frozen=True)
class Collection:
    """A repeating item: elements of the nested array `field` (those `keep` selects: sessions
    and closures share `schedules`), edited one at a time with `form`. In URLs an element is
    `<key>-<n>` (its place among the selected ones) or `<key>-new`."""

    key: str
    field: str
    noun: str  # "phone number": "Add a phone number", "Change this phone number"
    heading: str
    form: type[f.ItemForm]
    keep: Callable[[dict[str, Any]], bool] | None = None

    def positions(self, document: dict[str, Any]) -> list[int]:
        """Where the selected elements are in the whole array."""
        items = document.get(self.field) or []
        return [i for i, item in enumerate(items) if self.keep is None or self.keep(item)]

    def items(self, document: dict[str, Any]) -> list[dict[str, Any]]:
        items = document.get(self.field) or []
        return [items[i] for i in self.positions(document)]

    def describe(self, item: dict[str, Any]) -> str:
        return describe_item(self.field, item)

    def put(self, document: dict[str, Any], number: int | None, item: dict[str, Any]) -> None:
        """Replace the `number`th selected element (None: add `item` at the end)."""
        items = list(document.get(self.field) or [])
        if number is None:
            items.append(item)
        else:
            items[self.positions(document)[number]] = item
        document[self.field] = items

    def remove(self, document: dict[str, Any], number: int) -> None:
        items = list(document.get(self.field) or [])
        del items[self.positions(document)[number]]
        f.put(document, self.field, items)


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    fields: tuple[str, ...]  # the document members it edits
    form: type[f.SectionForm] | type[f.AttendForm] | None = None
    collections: tuple[Collection, ...] = ()
    lead: str = ""
    # A section with a page of its own (the tagging screen): its template, and what else the
    # page shows, as `context(document=, query=, form=, links=)` returns it.
    template: str = ""
    context: Callable[..., dict[str, Any]] | None = None

    def collection(self, key: str) -> Collection | None:
        return next((c for c in self.collections if c.key == key), None)

    def summary(self, document: dict[str, Any]) -> Any:
        """What the section holds of `document`: two documents whose summaries differ differ
        in this section (sessions and how people attend share `schedules`)."""
        if self.slug == "times":
            return [_without_attending(s) for s in document.get("schedules") or []]
        if self.slug == "attending":
            return sorted({str(s.get("attending_type") or "") for s in f.all_schedules(document)})
        return [document.get(field) for field in self.fields]


def _without_attending(schedule: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schedule.items() if key != "attending_type"}


def _session(schedule: dict[str, Any]) -> bool:
    return not is_closure(schedule)


SECTIONS: tuple[Section, ...] = (
    Section(
        "details",
        "Name and description",
        ("name", "description", "status", "url", "email", "alert"),
        form=f.DetailsForm,
    ),
    Section(
        "tags",
        "What the service is (tags)",
        ("attributes",),
        form=f.TagsForm,
        lead="Choose the service types that say what the service is, so people searching for it "
        "find it. Pick the main one or two: a service tagged with everything turns up in every "
        "search and helps no one.",
        template="workflow/editing/tags.html",
        context=tagging_context,
    ),
    Section(
        "contacts",
        "Contacts and phone numbers",
        ("phones", "contacts"),
        collections=(
            Collection("phone", "phones", "phone number", "Phone numbers", f.PhoneForm),
            Collection("contact", "contacts", "contact", "Contacts", f.ContactForm),
        ),
        lead="The directory is open data: give a team's number and address, not a person's own.",
    ),
    Section(
        "locations",
        "Locations",
        ("service_at_locations",),
        collections=(
            Collection("location", "service_at_locations", "location", "Locations", f.LocationForm),
        ),
        lead="Where people go to use the service. Changing a place's address changes it for "
        "every service held there.",
    ),
    Section(
        "times",
        "When it runs",
        ("schedules",),
        collections=(
            Collection(
                "session", "schedules", "session", "Regular sessions", f.SessionForm, _session
            ),
            Collection(
                "closure", "schedules", "closure", "Holiday closures", f.ClosureForm, is_closure
            ),
        ),
        lead="Regular sessions, and the dates the service is closed, such as bank holidays.",
    ),
    Section(
        "eligibility",
        "Who it is for",
        ("minimum_age", "maximum_age"),
        form=f.AgeForm,
        # ORUK 3.0 has no member for eligibility in words (HSDS's eligibility_description is
        # not in it): the description carries that.
        lead="The age range. Say anything else about who may use the service in its description.",
    ),
    Section(
        "costs",
        "Costs",
        ("fees", "cost_options"),
        form=f.CostsForm,
        collections=(Collection("cost", "cost_options", "cost", "Prices", f.CostOptionForm),),
    ),
    Section(
        "languages",
        "Languages",
        ("languages",),
        collections=(
            Collection("language", "languages", "language", "Languages spoken", f.LanguageForm),
        ),
    ),
    Section(
        "areas",
        "Service areas",
        ("service_areas",),
        collections=(Collection("area", "service_areas", "area", "Areas served", f.AreaForm),),
        lead="The places whose people may use the service.",
    ),
    Section("attending", "How to attend", ("schedules",), form=f.AttendForm),
)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}
# Where a changed field is edited (check your answers links there).
FIELD_SECTIONS = {field: section.slug for section in SECTIONS[:-1] for field in section.fields}

ORGANIZATION_SECTIONS: tuple[Section, ...] = (
    Section(
        "details",
        "Name and description",
        ("name", "description", "email", "website"),
        form=f.OrganizationDetailsForm,
    ),
    Section(
        "phones",
        "Phone numbers",
        ("phones",),
        collections=(Collection("phone", "phones", "phone number", "Phone numbers", f.PhoneForm),),
        lead="The directory is open data: give the organisation's numbers, not a person's own.",
    ),
    Section(
        "links",
        "Other web addresses",
        ("additional_urls",),
        collections=(
            Collection("link", "additional_urls", "web address", "Web addresses", f.WebAddressForm),
        ),
        lead="Pages besides the website, such as social media or an annual report.",
    ),
)


def sections_for(subject: str) -> tuple[Section, ...]:
    """The sections of a proposal about `subject` (a ChangeRequest.subject)."""
    return ORGANIZATION_SECTIONS if subject == Subject.ORGANIZATION else SECTIONS


def section_for(subject: str, slug: str) -> Section | None:
    return next((s for s in sections_for(subject) if s.slug == slug), None)


def field_section(subject: str, field: str) -> str | None:
    """The slug of the section where `field` is edited (None: no section edits it)."""
    if subject != Subject.ORGANIZATION:
        return FIELD_SECTIONS.get(field)
    return next((s.slug for s in ORGANIZATION_SECTIONS if field in s.fields), None)


_ITEM = re.compile(r"^([a-z]+)-(new|[0-9]{1,4})$")


def parse_item(
    section: Section, value: str, document: dict[str, Any]
) -> tuple[Collection, int | None] | None:
    """The element `?item=` names ("phone-0", "session-new"), or None if there is none such."""
    match = _ITEM.match(value)
    collection = section.collection(match[1]) if match else None
    if collection is None:
        return None
    if match[2] == "new":
        return collection, None
    number = int(match[2])
    if number >= len(collection.positions(document)):
        return None
    return collection, number


def item_value(collection: Collection, number: int | None) -> str:
    return f"{collection.key}-{'new' if number is None else number}"
