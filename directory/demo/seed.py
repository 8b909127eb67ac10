"""Seed the directory with realistic, fictional demo data.

`seed_demo()` writes organisations, services and everything nested in them for one place
(Kingston upon Hull) or, for large benchmark sets, for places across England and Wales. The
output depends only on the seed, the number of services and the day it runs (dates are
relative to today), so two runs with the same arguments write the same rows with the same ids;
a rerun updates those rows in place rather than adding copies.

Rows are generated and inserted batch by batch with `bulk_create`, so memory stays flat however
many services are asked for, and nothing is geocoded per row: a pool of real postcodes is
looked up once and locations take their coordinates from it.
"""

from __future__ import annotations

import math
import random
import sys
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import perf_counter
from typing import TYPE_CHECKING, Any

from django.db import models, reset_queries, transaction
from django.utils import timezone
from django.utils.text import slugify
from tqdm import tqdm

from directory.geo import (
    InvalidPostcode,
    PostcodePoint,
    lookup_postcode,
    postcodes_in_local_authority,
)
from directory.models import (
    Accessibility,
    Address,
    Attribute,
    Contact,
    CostOption,
    Frequency,
    Funding,
    Language,
    LinkEntity,
    Location,
    LocationType,
    Organization,
    OrganizationIdentifier,
    Phone,
    PhoneType,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceStatus,
    Taxonomy,
    TaxonomyTerm,
    Url,
)
from directory.taxonomies.identity import (
    LGA_SERVICE_TYPES,
    lga_service_type_uri,
    taxonomy_uuid,
    term_uuid,
)
from directory.taxonomies.needs import ensure_demo_needs

from . import content
from .content import ServiceKind, Theme
from .places import HULL, NATIONAL, Place
from .service_types import SERVICE_TYPES

if TYPE_CHECKING:
    from typing import TextIO

BATCH_SIZE = 2_000
SERVICES_PER_ORGANISATION = 5
# Above this many services the data is spread across England and Wales, so that proximity
# search over a national-scale set has near and far results everywhere.
NATIONAL_THRESHOLD = 5_000
POSTCODES_PER_PLACE = 300
# The demo uses the drama ranges Ofcom keeps free for fiction, so no real line is ever rung.
LANDLINE = "01632 960{:03d}"
MOBILE = "07700 900{:03d}"
FREEPHONE = "0808 157 0{:03d}"
ASSURER_EMAIL = "directory-team@example.org"
# Fortnightly sessions count their weeks from this Monday.
FORTNIGHT_ANCHOR = date(2025, 1, 6)

# Insertion order: every model follows the models its rows point at.
MODELS: tuple[type[models.Model], ...] = (
    Organization,
    OrganizationIdentifier,
    Location,
    Address,
    Accessibility,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Schedule,
    CostOption,
    Funding,
    Contact,
    Phone,
    Language,
    Url,
    Attribute,
)

STATUS_WEIGHTS: tuple[tuple[str, int], ...] = (
    (ServiceStatus.ACTIVE, 86),
    (ServiceStatus.TEMPORARILY_CLOSED, 6),
    (ServiceStatus.INACTIVE, 4),
    (ServiceStatus.DEFUNCT, 4),
)
ORGANISATION_KINDS: tuple[tuple[str, int], ...] = (
    ("charity", 45),
    ("cic", 18),
    ("group", 17),
    ("council", 14),
    ("nhs", 6),
)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
DAY_NAMES = {
    "MO": "Monday",
    "TU": "Tuesday",
    "WE": "Wednesday",
    "TH": "Thursday",
    "FR": "Friday",
    "SA": "Saturday",
    "SU": "Sunday",
}
ORDINALS = {"1": "First", "2": "Second", "3": "Third", "4": "Fourth", "-1": "Last"}


@dataclass
class SeedReport:
    """What a seed run wrote: rows per record type, the place and how long it took."""

    place: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped: bool = False

    def summary(self) -> str:
        if self.skipped:
            return "Services already exist, so nothing was seeded."
        width = max(len(name) for name in self.counts)
        lines = [f"Seeded demo data for {self.place} in {self.seconds:.1f} s:"]
        lines += [f"  {name:<{width}}  {count:>9,}" for name, count in self.counts.items()]
        return "\n".join(lines)


def seed_demo(
    *,
    services: int = 300,
    seed: int = 1,
    stdout: TextIO | None = None,
    national: bool | None = None,
    if_empty: bool = False,
    today: date | None = None,
    progress: bool | None = None,
) -> SeedReport:
    """Write `services` demo services with their organisations, locations and nested records.

    `national` spreads the data across England and Wales instead of Kingston upon Hull; it
    defaults to on above NATIONAL_THRESHOLD services. `if_empty` does nothing if any service
    exists. Writes happen in one transaction; `stdout` receives short progress notes.
    """
    started = perf_counter()
    if if_empty and Service.objects.exists():
        return SeedReport(skipped=True)
    if national is None:
        national = services > NATIONAL_THRESHOLD
    if progress is None:
        progress = services > BATCH_SIZE
    rng = random.Random(seed)
    places = NATIONAL if national else (HULL,)
    report = SeedReport(
        place="England and Wales" if national else f"{HULL.name} ({HULL.code})",
        counts=dict.fromkeys((_label(m) for m in MODELS), 0),
    )

    def note(message: str) -> None:
        if stdout is not None:
            stdout.write(message)

    with transaction.atomic():
        taxonomy_rows = ensure_demo_service_types()
        ensure_demo_needs()  # the needs mapping refers to the service types just ensured
        note("Looking up postcodes...")
        pools, sizes = _postcode_pools(rng, places)
        generator = _Generator(rng, pools, sizes, today or timezone.localdate())
        organisations = max(1, math.ceil(services / SERVICES_PER_ORGANISATION))
        with tqdm(total=services, unit="services", file=sys.stderr, disable=not progress) as bar:
            for start in range(0, services, BATCH_SIZE):
                end = min(services, start + BATCH_SIZE)
                # Organisations are shared out in proportion, so each batch is self-contained.
                org_start = math.ceil(start * organisations / services)
                org_end = math.ceil(end * organisations / services)
                rows = generator.batch(end - start, max(1, org_end - org_start))
                for model in MODELS:
                    _upsert(model, rows[model])
                    report.counts[_label(model)] += len(rows[model])
                reset_queries()  # DEBUG keeps every query, which would grow with the run
                bar.update(end - start)
    report.counts = {**taxonomy_rows, **report.counts}
    report.seconds = perf_counter() - started
    return report


# Words people search with for a few demo service types (the finder finds the type's services).
SERVICE_TYPE_SYNONYMS: dict[int, list[str]] = {
    1818: ["food parcel", "emergency food", "foodbank", "food bank", "hungry"],
    163: ["therapy", "talking therapy", "someone to talk to"],
    651: ["money worries", "bills", "arrears"],
    112: ["rough sleeping", "nowhere to live", "sofa surfing"],
    640: ["lonely", "loneliness", "lunch club"],
    315: ["meals on wheels", "hot meals"],
    1284: ["anxiety", "depression", "low mood"],
}


def ensure_demo_service_types() -> dict[str, int]:
    """Create the LGA service types taxonomy and our compact list of its terms, if missing.

    Ids are the stable ones the full loader uses, and existing rows are left alone, so this
    neither duplicates nor overwrites what `load_taxonomies` wrote.
    """
    taxonomy_id = taxonomy_uuid(LGA_SERVICE_TYPES)
    Taxonomy.objects.bulk_create(
        [
            Taxonomy(
                id=taxonomy_id,
                name="LGA service types",
                description="The Local Government Association's list of service types "
                "(esd standards), as used by Open Referral UK.",
                uri="http://id.esd.org.uk/list/services",
                vocabulary=LGA_SERVICE_TYPES,
            )
        ],
        ignore_conflicts=True,
    )
    terms = []
    for code, label in SERVICE_TYPES:
        term_id = term_uuid(LGA_SERVICE_TYPES, str(code))
        terms.append(
            TaxonomyTerm(
                id=term_id,
                taxonomy_id=taxonomy_id,
                name=label,
                description=label,
                taxonomy_label=LGA_SERVICE_TYPES,
                term=str(code),
                term_uri=lga_service_type_uri(code),
                path=term_id.hex,
            )
        )
    TaxonomyTerm.objects.bulk_create(terms, ignore_conflicts=True)
    for code, synonyms in SERVICE_TYPE_SYNONYMS.items():
        # Only where none are set yet: a directory admin's own list is left alone.
        term_id = term_uuid(LGA_SERVICE_TYPES, str(code))
        TaxonomyTerm.objects.filter(pk=term_id, synonyms=[]).update(synonyms=synonyms)
    TaxonomyTerm.rebuild_paths(
        TaxonomyTerm.objects.filter(pk__in=[t.id for t in terms]).only("id", "parent_id", "path")
    )
    return {"taxonomies": 1, "taxonomy terms": len(terms)}


def _upsert(model: type[models.Model], rows: list[Any]) -> None:
    if not rows:
        return
    # A rerun with the same seed rewrites the same ids; updating keeps it from failing.
    update_fields = [
        f.name for f in model._meta.concrete_fields if not f.primary_key and f.name != "created_at"
    ]
    model.objects.bulk_create(
        rows,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["id"],
        update_fields=update_fields,
    )


def _postcode_pools(
    rng: random.Random, places: tuple[Place, ...]
) -> tuple[dict[Place, list[PostcodePoint]], dict[Place, int]]:
    """Sample real postcodes in each place and look each up once.

    Also returns how many postcodes each place has, a fair stand-in for its population.
    """
    pools: dict[Place, list[PostcodePoint]] = {}
    sizes: dict[Place, int] = {}
    for place in places:
        postcodes = postcodes_in_local_authority(place.code)
        sizes[place] = len(postcodes)
        points = []
        for postcode in rng.sample(postcodes, min(POSTCODES_PER_PLACE, len(postcodes))):
            try:
                point = lookup_postcode(postcode)
            except InvalidPostcode:
                # The directory keeps terminated postcodes, some in formats no longer valid
                # (W1M, NPT); skipping them leaves plenty.
                continue
            if point.local_authority_code == place.code:
                points.append(point)
        if points:
            pools[place] = points
    if not pools:
        raise RuntimeError("No postcodes found for the demo places; is the postcode data there?")
    return pools, sizes


@dataclass
class _Org:
    record: Organization
    place: Place
    area: str
    slug: str
    kind: str
    department: str
    theme: Theme
    kinds: tuple[str, ...]
    venues: list[Location]
    weight: int


class _Generator:
    """Builds unsaved model instances, batch by batch, from one random stream."""

    def __init__(
        self,
        rng: random.Random,
        pools: dict[Place, list[PostcodePoint]],
        sizes: dict[Place, int],
        today: date,
    ) -> None:
        self.rng = rng
        self.pools = pools
        self.places = tuple(pools)
        # Bigger places get more organisations, as they would in a national directory.
        self.place_weights = [sizes[place] for place in self.places]
        self.today = today
        self.midnight = timezone.make_aware(datetime.combine(today, time()))
        self.term_ids = {code: term_uuid(LGA_SERVICE_TYPES, str(code)) for code, _ in SERVICE_TYPES}
        # Council departments are dealt out in turn, so a place rarely has two of the same.
        self.departments: Counter[str] = Counter()
        self.rows: dict[type[models.Model], list] = {}
        self.names: set[str] = set()  # organisation names used in the current batch

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def add(self, row: models.Model) -> models.Model:
        self.rows[type(row)].append(row)
        return row

    def batch(self, services: int, organisations: int) -> dict[type[models.Model], list]:
        self.rows = {model: [] for model in MODELS}
        self.names = set()
        orgs = [self.organisation() for _ in range(organisations)]
        weights = [org.weight for org in orgs]
        for i in range(services):
            # Every organisation runs at least one service; bigger ones run more.
            org = orgs[i] if i < len(orgs) else self.rng.choices(orgs, weights)[0]
            self.service(org)
        return self.rows

    # Organisations and their venues

    def organisation(self) -> _Org:
        rng = self.rng
        place = rng.choices(self.places, self.place_weights)[0]
        # The organisation is named after the neighbourhood of its first venue.
        home = rng.choice(self.pools[place])
        area = rng.choice(place.area_names(_district(home)))
        kind = _weighted(rng, ORGANISATION_KINDS)
        extra_kinds: tuple[str, ...] = ()
        department = ""
        if kind == "council":
            index = self.departments[place.code]
            self.departments[place.code] += 1
            department, theme_key, extra_kinds = content.COUNCIL_DEPARTMENTS[
                index % len(content.COUNCIL_DEPARTMENTS)
            ]
            theme = content.THEMES_BY_KEY[theme_key]
            name = f"{place.council}: {department}"
            description = f"{department} is part of {place.council}. {theme.blurb}"
        elif kind == "nhs":
            theme = content.THEMES_BY_KEY[rng.choice(content.NHS_THEMES)]
            trust = "Mental Health" if theme.key == "mental_health" else "Community Health"
            name = f"{place.town} {trust} NHS Trust"
            description = f"An NHS trust providing services across {place.name}. {theme.blurb}"
        else:
            theme = content.THEMES_BY_KEY[rng.choice(content.VCS_THEMES)]
            suffix = " CIC" if kind == "cic" else ""
            for _ in range(5):  # a few tries for a name not yet used in this batch
                noun = rng.choice(theme.nouns)
                brand = rng.choice(content.BRANDS)
                patterns = (f"{area} {noun}", f"{brand} {noun}", f"{brand} {place.town}")
                name = rng.choice(patterns) + suffix
                if name not in self.names:
                    break
            label = {
                "charity": "a registered charity",
                "cic": "a community interest company",
                "group": "a volunteer-led community group",
            }[kind]
            # Community interest companies only exist since 2005.
            first_year, last_year = content.YEARS_FOUNDED
            founded = rng.randint(2005 if kind == "cic" else first_year, last_year)
            description = f"{name} is {label} founded in {place.town} in {founded}. {theme.blurb}"
        if name in self.names:
            name = f"{name} ({area})"
        self.names.add(name)
        slug = _slug(name, 30)
        record = self.add(
            Organization(
                id=self.uuid(),
                name=name,
                description=description,
                email=f"{slug}@example.org",
                website=f"https://{slug}.example.org",
            )
        )
        self.identifiers(record, kind)
        self.add(
            Phone(
                id=self.uuid(),
                organization=record,
                number=LANDLINE.format(rng.randrange(1000)),
                type=PhoneType.VOICE,
                description="Main office",
            )
        )
        if kind in ("charity", "cic", "group") and rng.random() < 0.4:
            self.add(
                Funding(
                    id=self.uuid(),
                    organization=record,
                    source=rng.choice(content.FUNDERS_VCS).format(council=place.council),
                )
            )
        org = _Org(
            record=record,
            place=place,
            area=area,
            slug=slug,
            kind=kind,
            department=department,
            theme=theme,
            kinds=theme.kinds + extra_kinds,
            venues=[],
            weight=rng.choice((1, 1, 2, 3, 5)),
        )
        org.venues.append(self.venue(org, home, area))
        for _ in range(_weighted(rng, ((0, 60), (1, 30), (2, 10)))):
            point = rng.choice(self.pools[place])
            org.venues.append(
                self.venue(org, point, rng.choice(place.area_names(_district(point))))
            )
        return org

    def identifiers(self, org: Organization, kind: str) -> None:
        # Numbers above those yet issued, so no demo record shares a real organisation's number.
        if kind == "charity":
            self.identifier(org, "GB-CHC", "Registered charity number", 1_290_000, 1_299_999)
            if self.rng.random() < 0.3:
                self.identifier(org, "GB-COH", "Company number", 99_000_000, 99_999_999)
        elif kind == "cic":
            self.identifier(org, "GB-COH", "Company number", 99_000_000, 99_999_999)

    def identifier(self, org: Organization, scheme: str, kind: str, low: int, high: int) -> None:
        self.add(
            OrganizationIdentifier(
                id=self.uuid(),
                organization=org,
                identifier_scheme=scheme,
                identifier_type=kind,
                identifier=f"{self.rng.randint(low, high):0{len(str(high))}d}",
            )
        )

    def venue(self, org: _Org, point: PostcodePoint, area: str) -> Location:
        rng = self.rng
        place = org.place
        name = rng.choice(content.VENUE_PATTERNS).format(
            area=area, saint=rng.choice(content.SAINTS), org=org.record.name
        )
        street = rng.choice(place.street_names(_district(point)))
        location = self.add(
            Location(
                id=self.uuid(),
                location_type=LocationType.PHYSICAL,
                name=name,
                description=f"{name}, {street}",
                latitude=point.latitude,
                longitude=point.longitude,
                local_authority_code=point.local_authority_code,
            )
        )
        self.add(
            Address(
                id=self.uuid(),
                location=location,
                address_1=f"{rng.randint(1, 250)} {street}",
                address_2=area if area != place.town and area not in name else "",
                city=place.town,
                region=place.region,
                state_province=place.county,
                postal_code=point.postcode,
                country="GB",
                address_type=LocationType.PHYSICAL,
            )
        )
        for title, details in rng.sample(content.ACCESSIBILITY_FEATURES, rng.randint(0, 3)):
            self.add(
                Accessibility(id=self.uuid(), location=location, description=title, details=details)
            )
        if rng.random() < 0.2:
            self.add(
                Phone(
                    id=self.uuid(),
                    location=location,
                    number=LANDLINE.format(rng.randrange(1000)),
                    type=PhoneType.VOICE,
                    description="Venue reception",
                )
            )
        return location

    # Services and what they nest

    def service(self, org: _Org) -> None:
        rng = self.rng
        kind = content.KINDS_BY_KEY[rng.choice(org.kinds)]
        attending = rng.choice(kind.attending)
        name = rng.choice(kind.names).format(area=org.area)
        description = f"{kind.description} {content.ATTENDING_SENTENCES[attending]}"
        if kind.key not in content.NO_VENUE_KINDS and rng.random() < 0.6:
            description += " " + rng.choice(content.EXTRA_SENTENCES)
        status = _weighted(rng, STATUS_WEIGHTS)
        minimum_age, maximum_age = rng.choice(kind.ages)
        fees, costs = self.costs(kind)
        assured_date = self.assured_date()
        service = self.add(
            Service(
                id=self.uuid(),
                organization=org.record,
                name=name,
                description=description,
                url=f"https://{org.slug}.example.org/{slugify(name)}" if rng.random() < 0.4 else "",
                email=org.record.email if rng.random() < 0.5 else "",
                status=status,
                fees=fees,
                accreditations=(
                    content.ACCREDITATION_BY_KIND.get(kind.key, "") if rng.random() < 0.4 else ""
                ),
                minimum_age=None if minimum_age is None else Decimal(minimum_age),
                maximum_age=None if maximum_age is None else Decimal(maximum_age),
                assured_date=assured_date,
                assurer_email=ASSURER_EMAIL if assured_date else "",
                alert=rng.choice(content.ALERTS[status]) if status in content.ALERTS else "",
                last_modified=self.midnight - timedelta(seconds=rng.randrange(365 * 86_400)),
            )
        )
        for option, amount, amount_description in costs:
            self.add(
                CostOption(
                    id=self.uuid(),
                    service=service,
                    option=option,
                    amount=amount,
                    amount_description=amount_description,
                    currency="GBP",
                )
            )
        place = org.place
        self.add(
            ServiceArea(
                id=self.uuid(),
                service=service,
                name=place.name,
                uri=place.uri,
                service_area=f"People who live in {place.name}",
                local_authority_code=place.code,
            )
        )
        self.locations_and_schedules(service, org, kind, attending)
        self.contacts(service, org, kind)
        self.languages(service, place)
        if rng.random() < 0.6:
            if org.kind == "council":
                source = place.council
            elif org.kind == "nhs":
                source = rng.choice(("NHS England", "Integrated care board"))
            else:
                source = rng.choice(content.FUNDERS_VCS).format(council=place.council)
            self.add(Funding(id=self.uuid(), service=service, source=source))
        if rng.random() < 0.1:
            self.add(
                Url(
                    id=self.uuid(),
                    service=service,
                    label="Referral form" if attending == content.REFERRAL else "Leaflet",
                    url=f"https://{org.slug}.example.org/{slugify(name)}/more",
                )
            )
        types = kind.types[:1]
        if len(kind.types) > 1 and rng.random() < 0.6:
            types = kind.types[:2]
        for code in types:
            self.add(
                Attribute(
                    id=self.uuid(),
                    link_entity=LinkEntity.SERVICE,
                    link_id=service.id,
                    taxonomy_term_id=self.term_ids[code],
                )
            )

    def costs(self, kind: ServiceKind) -> tuple[str, list[tuple[str, Decimal, str]]]:
        rng = self.rng
        if kind.cost == "session":
            amount = Decimal(rng.choice(content.SESSION_PRICES))
            options = [("Per session", amount, f"£{amount} per session")]
            if rng.random() < 0.3:
                half = (amount / 2).quantize(Decimal("0.01"))
                options.append(("Concessions", half, f"£{half} for concessions"))
            return f"£{amount} per session", options
        if kind.cost == "membership":
            amount = Decimal(rng.choice(content.MEMBERSHIP_PRICES))
            text = f"£{amount} a week membership"
            return text, [("Weekly membership", amount, text)]
        if kind.cost == "charged":
            option, amounts = content.CHARGES[kind.key]
            amount = Decimal(rng.choice(amounts))
            text = f"£{amount} {option.lower()}, depending on a financial assessment"
            return text, [(option, amount, text)]
        return "Free", [("Free", Decimal("0.00"), "Free")]

    def assured_date(self) -> date | None:
        # Most records are within the three-month review cycle; some are overdue, a few never
        # assured, so review queues and "last checked" labels have something to show.
        roll = self.rng.random()
        if roll < 0.65:
            return self.today - timedelta(days=self.rng.randrange(90))
        if roll < 0.87:
            return self.today - timedelta(days=self.rng.randint(91, 400))
        return None

    def locations_and_schedules(
        self, service: Service, org: _Org, kind: ServiceKind, attending: str
    ) -> None:
        rng = self.rng
        count = 2 if len(org.venues) > 1 and rng.random() < 0.2 else 1
        pattern = rng.choice(kind.schedules)
        for venue in rng.sample(org.venues, count):
            sal = self.add(ServiceAtLocation(id=self.uuid(), service=service, location=venue))
            # One place: the times belong to the service; several: each venue has its own.
            owner = {"service": service} if count == 1 else {"service_at_location": sal}
            self.add(Schedule(id=self.uuid(), **owner, **self.schedule(pattern, kind, attending)))

    def schedule(self, pattern: str, kind: ServiceKind, attending: str) -> dict[str, Any]:
        rng = self.rng
        fields: dict[str, Any] = {"freq": Frequency.WEEKLY, "attending_type": attending}
        if pattern == "office":
            days = "MO,TU,WE,TH,FR"
            hours = rng.choice(((9, 0, 17, 0), (9, 30, 16, 30), (10, 0, 16, 0), (9, 0, 13, 0)))
            when = "Monday to Friday"
        elif pattern == "monthly":
            days = rng.choice(("1MO", "2WE", "3TH", "-1FR", "1TU", "2TH", "3WE"))
            hours = rng.choice(((10, 0, 12, 0), (14, 0, 16, 0), (18, 30, 20, 30)))
            fields["freq"] = Frequency.MONTHLY
            ordinal, day = days[:-2], days[-2:]
            when = f"{ORDINALS[ordinal]} {DAY_NAMES[day]} of the month"
        else:
            choices = {
                "daytime": (((10, 0, 12, 0), (13, 0, 15, 0), (10, 0, 14, 0), (9, 30, 12, 30)), 1),
                "twice": (((10, 0, 12, 0), (13, 0, 15, 0), (10, 0, 13, 0)), 2),
                "morning": (((9, 30, 11, 30), (10, 0, 11, 30)), 1),
                "evening": (((18, 0, 20, 0), (18, 30, 20, 30), (19, 0, 21, 0)), 1),
                "youth": (((18, 0, 20, 30), (15, 30, 17, 30), (18, 30, 21, 0)), 2),
                "weekend": (((10, 0, 12, 0), (10, 0, 13, 0)), 1),
                "fortnightly": (((10, 0, 12, 0), (13, 0, 15, 0), (18, 0, 20, 0)), 1),
            }
            hour_options, day_count = choices[pattern]
            hours = rng.choice(hour_options)
            if pattern == "weekend":
                picked = [rng.choice(("SA", "SU"))]
            else:
                picked = sorted(rng.sample(WEEKDAYS, day_count), key=WEEKDAYS.index)
            days = ",".join(picked)
            when = " and ".join(f"{DAY_NAMES[d]}s" for d in picked)
            if pattern == "fortnightly":
                fields["interval"] = 2
                fields["dtstart"] = FORTNIGHT_ANCHOR + timedelta(
                    days=WEEKDAYS.index(picked[0]) + 7 * rng.randint(0, 1)
                )
                when = f"Every other {DAY_NAMES[picked[0]]}"
        opens, closes = time(*hours[:2]), time(*hours[2:])
        fields.update(
            byday=days,
            opens_at=opens,
            closes_at=closes,
            description=f"{when}, {_clock(opens)} to {_clock(closes)}",
        )
        if kind.key == "holiday_club":
            fields["notes"] = "School holidays only"
        elif kind.key in ("stay_and_play", "youth_club", "sports_club") and rng.random() < 0.3:
            fields["notes"] = "Term time only"
        return fields

    def contacts(self, service: Service, org: _Org, kind: ServiceKind) -> None:
        rng = self.rng
        role = rng.choice(kind.contacts)
        contact = self.add(
            Contact(
                id=self.uuid(),
                service=service,
                name=role,
                department=org.department,
                email=f"{_slug(role, 24)}.{org.slug}@example.org",
            )
        )
        if role == "Helpline" or rng.random() < 0.1:
            number = FREEPHONE.format(rng.randrange(1000))
        else:
            number = LANDLINE.format(rng.randrange(1000))
        self.add(Phone(id=self.uuid(), contact=contact, number=number, type=PhoneType.VOICE))
        if rng.random() < 0.3:
            self.add(
                Phone(
                    id=self.uuid(),
                    service=service,
                    number=MOBILE.format(rng.randrange(1000)),
                    type=PhoneType.TEXT,
                    description="Text us and we will call you back",
                )
            )

    def languages(self, service: Service, place: Place) -> None:
        rng = self.rng
        offered = [("English", "en")]
        if place.welsh and rng.random() < 0.7:
            offered.append(("Welsh", "cy"))
        extra = 0 if rng.random() < 0.78 else (1 if rng.random() < 0.8 else 2)
        names = [name for name, _, _ in content.LANGUAGES]
        weights = [weight for _, _, weight in content.LANGUAGES]
        codes = {name: code for name, code, _ in content.LANGUAGES}
        for name in dict.fromkeys(rng.choices(names, weights, k=extra)):
            offered.append((name, codes[name]))
        for name, code in offered:
            self.add(Language(id=self.uuid(), service=service, name=name, code=code))


def _label(model: type[models.Model]) -> str:
    return "funding" if model is Funding else str(model._meta.verbose_name_plural)


def _district(point: PostcodePoint) -> str:
    return point.postcode.split()[0]


def _slug(text: str, limit: int) -> str:
    """A slug cut at a word boundary, for readable demo email addresses and web addresses."""
    slug = slugify(text)
    if len(slug) > limit:
        slug = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug


def _weighted(rng: random.Random, choices: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([c for c, _ in choices], [w for _, w in choices])[0]


def _clock(moment: time) -> str:
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"
