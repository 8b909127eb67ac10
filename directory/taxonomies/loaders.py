"""Load published vocabularies (LGA, OpenActive, ORUK 1.0, Open Eligibility) into taxonomies.

Each `load_<source>(*, source_dir=...)` reads the files described in shared/taxonomies/README.md
with the standard library and writes them in bulk. Loads are idempotent: every term gets the
stable id from `identity.term_uuid`, rows are compared before they are written, and a rerun on
unchanged files writes nothing. Terms that a source no longer lists are left alone, because
services may still be tagged with them.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from directory.models import Taxonomy, TaxonomyTerm

from .identity import (
    LGA_SERVICE_TYPES,
    OPEN_ELIGIBILITY,
    OPENACTIVE_ACCESSIBILITY,
    OPENACTIVE_ACTIVITIES,
    ORUK_ATTENDING_ACCESS,
    ORUK_ATTENDING_TYPE,
    ORUK_DELIVERABLE_TYPE,
    ORUK_ELIGIBILITY,
    lga_service_type_uri,
    taxonomy_uuid,
    term_uuid,
)

LGA_DIR = "lga-service-types"
MYSOCIETY_CSV = f"{LGA_DIR}/mysociety-council_climate_services/englishAndWelshServices-all.csv"
CKAN_SERVICES_CSV = f"{LGA_DIR}/ckanext-esdstandards/services.csv"
DATASHARE_XML = f"{LGA_DIR}/esd-org-uk-DataShare/functions_services.xml"
GOVUK_CSV = f"{LGA_DIR}/alphagov-publisher/local_services.csv"
OPENACTIVE_ACTIVITIES_JSON = "openactive-activity-list/activity-list.jsonld"
OPENACTIVE_ACCESSIBILITY_JSON = "openactive-accessibility-support/accessibility-support.jsonld"
ORUK_PACKAGE_JSON = "oruk-vocabularies/oruk-1.0-human-services/ExtendedDataPackage.json"
OPEN_ELIGIBILITY_XML = "openeligibility/taxonomy.xml"

FUNCTION_PREFIX = "function:"
BATCH_SIZE = 500
# Fields a load owns; anything else on a term (e.g. edits to `path`) is derived or left alone.
SYNCED_FIELDS = (
    "taxonomy_id",
    "name",
    "description",
    "parent_id",
    "taxonomy_label",
    "term_uri",
    "term",
    "alt_label",
    "discontinued",
)


@dataclass
class LoadResult:
    """What one load did, counted in terms; `warnings` lists data the loader had to work around."""

    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    discontinued: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def add(self, other: LoadResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.discontinued += other.discontinued
        self.warnings += other.warnings


@dataclass(frozen=True)
class TaxonomySpec:
    vocabulary: str
    name: str
    description: str
    uri: str = ""
    version: str = ""


@dataclass(frozen=True)
class TermRow:
    """One term as a source describes it; `parent_code` names another code of the same taxonomy."""

    code: str
    name: str
    description: str = ""
    parent_code: str | None = None
    term_uri: str = ""
    alt_label: str = ""
    discontinued: bool = False


def ensure_taxonomy(spec: TaxonomySpec) -> Taxonomy:
    """Create or update the taxonomy for `spec.vocabulary`, keeping an existing row's id."""
    values = {
        "name": spec.name,
        "description": spec.description or spec.name,
        "uri": spec.uri,
        "version": spec.version,
    }
    taxonomy = Taxonomy.objects.filter(vocabulary=spec.vocabulary).first()
    if taxonomy is None:
        taxonomy, _ = Taxonomy.objects.update_or_create(
            pk=taxonomy_uuid(spec.vocabulary), defaults={**values, "vocabulary": spec.vocabulary}
        )
        return taxonomy
    changed = [name for name, value in values.items() if getattr(taxonomy, name) != value]
    if changed:
        for name in changed:
            setattr(taxonomy, name, values[name])
        taxonomy.save(update_fields=[*changed, "updated_at"])
    return taxonomy


def sync_terms(
    *,
    taxonomy: Taxonomy,
    rows: Iterable[TermRow],
    source: str,
    keep: Iterable[str] = (),
) -> tuple[LoadResult, dict[str, uuid.UUID]]:
    """Create or update `rows` as terms of `taxonomy` in bulk; returns counts and code → id.

    A term keeps the id it already has for its code (say, one added by hand before the load),
    otherwise it gets `term_uuid(vocabulary, code)`. Parents are looked up among `rows` first, then
    among the taxonomy's existing terms. Fields named in `keep` are only set on new terms, so
    edits made elsewhere survive. The caller rebuilds paths (see `rebuild_taxonomy_paths`).
    """
    owned = [name for name in SYNCED_FIELDS if name not in set(keep)]
    unique: dict[str, TermRow] = {}
    for row in rows:
        unique.setdefault(row.code, row)  # the database allows one term per code: keep the first
    rows = list(unique.values())
    vocabulary = taxonomy.vocabulary
    result = LoadResult(source=source)
    existing_by_code = {
        t.term: t for t in TaxonomyTerm.objects.filter(taxonomy=taxonomy).exclude(term="")
    }
    ids: dict[str, uuid.UUID] = {code: t.id for code, t in existing_by_code.items()}
    for row in rows:
        if row.code not in ids:
            ids[row.code] = term_uuid(vocabulary, row.code)
    # A stable id may already be used outside the taxonomy (e.g. a term saved with no taxonomy).
    missing = [ids[r.code] for r in rows if r.code not in existing_by_code]
    existing_by_id = {t.id: t for t in existing_by_code.values()}
    for start in range(0, len(missing), BATCH_SIZE):
        existing_by_id.update(
            (t.id, t)
            for t in TaxonomyTerm.objects.filter(pk__in=missing[start : start + BATCH_SIZE])
        )

    now = timezone.now()
    to_create: list[TaxonomyTerm] = []
    to_update: list[TaxonomyTerm] = []
    for row in rows:
        parent_id = None
        if row.parent_code:
            parent_id = ids.get(row.parent_code)
            if parent_id is None:
                result.warnings.append(
                    f"{row.code}: parent {row.parent_code} not found; kept as a root"
                )
        wanted = {
            "taxonomy_id": taxonomy.id,
            "name": row.name,
            "description": row.description or row.name,  # ORUK requires a description
            "parent_id": parent_id,
            "taxonomy_label": vocabulary,
            "term_uri": row.term_uri,
            "term": row.code,
            "alt_label": row.alt_label,
            "discontinued": row.discontinued,
        }
        result.discontinued += row.discontinued
        term = existing_by_id.get(ids[row.code])
        if term is None:
            to_create.append(TaxonomyTerm(id=ids[row.code], **wanted))
        elif any(getattr(term, name) != wanted[name] for name in owned):
            for name in owned:
                setattr(term, name, wanted[name])
            term.updated_at = now
            to_update.append(term)
        else:
            result.unchanged += 1
    TaxonomyTerm.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    TaxonomyTerm.objects.bulk_update(to_update, [*owned, "updated_at"], batch_size=BATCH_SIZE)
    result.created, result.updated = len(to_create), len(to_update)
    return result, ids


def rebuild_taxonomy_paths(taxonomy: Taxonomy) -> int:
    return TaxonomyTerm.rebuild_paths(
        TaxonomyTerm.objects.filter(taxonomy=taxonomy).only("id", "parent_id", "path")
    )


def _load(spec: TaxonomySpec, rows: Iterable[TermRow], *, source: str) -> LoadResult:
    with transaction.atomic():
        taxonomy = ensure_taxonomy(spec)
        result, _ = sync_terms(taxonomy=taxonomy, rows=rows, source=source)
        rebuild_taxonomy_paths(taxonomy)
    return result


def _clean(text: str | None) -> str:
    """Trim and collapse runs of whitespace ("Arts  and creative classes" in the LGA exports)."""
    return " ".join((text or "").split())


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    # utf-8-sig drops the byte order mark the mysociety export starts with.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


def _parse_date(value: str) -> dt.date:
    """The exports disagree: dd/mm/yyyy (mysociety), yyyy-mm-dd (ckan), ISO datetime (DataShare)."""
    value = value.strip()
    if not value:
        return dt.date.min  # undated: any dated version is newer
    if "/" in value:
        return dt.datetime.strptime(value, "%d/%m/%Y").date()
    return dt.date.fromisoformat(value[:10])


# --- LGA service types -----------------------------------------------------------------------


@dataclass(frozen=True)
class _LgaVersion:
    label: str
    description: str
    modified: dt.date
    rank: int  # how recent the export is, to break ties between equal Modified dates


# The exports by age. A rename does not always move the Modified date (17 of the 87 labels that
# differ between the 2015 and 2022 exports share it), so on a tie the newer export wins.
LGA_DATASHARE_RANK, LGA_CKAN_RANK, LGA_MYSOCIETY_RANK = 0, 1, 2

LGA_SPEC = TaxonomySpec(
    vocabulary=LGA_SERVICE_TYPES,
    name="LGA service types",
    description=(
        "The Local Government Association's list of service types (esd Local Government "
        "Services List), grouped under the esd functions. Merged from the 2013, 2015 and 2022 "
        "exports; open government licence, attributed to the LG Inform Plus programme."
    ),
    uri="http://id.esd.org.uk/list/services",
)


def load_lga_service_types(*, source_dir: Path) -> LoadResult:
    """LGA service types under their esd functions, in one taxonomy (`esdServiceTypes`).

    Functions are terms with codes `function:<id>`; services are terms coded by their numeric id,
    children of their function, so "a function and its descendants" is a plain subtree query.
    Services the 2013 hierarchy does not place (newer or Scottish ones) are roots.
    """
    base = Path(source_dir)
    versions: dict[str, list[_LgaVersion]] = {}
    discontinued: set[str] = set()
    result = LoadResult(source="lga-service-types")

    def add(code: str, label: str, description: str, modified: str, rank: int) -> None:
        versions.setdefault(code, []).append(
            _LgaVersion(_clean(label), _clean(description), _parse_date(modified), rank)
        )

    for record in _read_csv(base / MYSOCIETY_CSV):
        code = record["Identifier"].strip()
        add(code, record["Label"], record["Description"], record["Modified"], LGA_MYSOCIETY_RANK)
        if record["Status"].strip().lower() == "discontinued":
            discontinued.add(code)
    for record in _read_csv(base / CKAN_SERVICES_CSV):
        code = record["Identifier"].strip()
        add(code, record["Label"], record["Description"], record["Modified"], LGA_CKAN_RANK)

    function_rows: list[TermRow] = []
    function_of: dict[str, str] = {}

    def walk(functions: ET.Element, parent_code: str | None) -> None:
        for function in functions.findall("Function"):
            code = FUNCTION_PREFIX + function.findtext("Identifier", "").strip()
            function_rows.append(
                TermRow(
                    code=code,
                    name=_clean(function.findtext("Label")),
                    description=_clean(function.findtext("Description")),
                    parent_code=parent_code,
                    term_uri=_clean(function.findtext("URI")),
                )
            )
            for service in function.findall("Services/Service"):
                service_code = service.findtext("Identifier", "").strip()
                if service_code in function_of:
                    result.warnings.append(f"service {service_code} is under two functions")
                function_of.setdefault(service_code, code)
                add(
                    service_code,
                    service.findtext("Label", ""),
                    service.findtext("Description", ""),
                    service.findtext("Modified", ""),
                    LGA_DATASHARE_RANK,
                )
            for children in function.findall("Functions"):
                walk(children, code)

    walk(ET.parse(base / DATASHARE_XML).getroot(), None)

    plain_labels = {
        record["LGSL"].strip(): _clean(record["Description"])
        for record in _read_csv(base / GOVUK_CSV)
    }
    result.warnings += [
        f"GOV.UK LGSL {code} is in no LGA export" for code in sorted(plain_labels.keys() - versions)
    ]

    service_rows = []
    for code in sorted(versions, key=lambda c: (len(c), c)):  # numeric order for digit codes
        newest = max(versions[code], key=lambda v: (v.modified, v.rank))
        # A newest version without a description borrows the most recent one that has it.
        described = [v for v in versions[code] if v.description]
        description = (
            newest.description
            or max(described, key=lambda v: (v.modified, v.rank), default=newest).description
        )
        service_rows.append(
            TermRow(
                code=code,
                name=newest.label,
                description=description,
                parent_code=function_of.get(code),
                term_uri=lga_service_type_uri(code),
                alt_label=plain_labels.get(code, ""),
                discontinued=code in discontinued,
            )
        )
    loaded = _load(LGA_SPEC, [*function_rows, *service_rows], source=result.source)
    result.add(loaded)
    return result


# --- OpenActive --------------------------------------------------------------------------------


def _skos_code(concept: dict) -> str:
    return concept.get("identifier") or concept["id"].rpartition("#")[2]


def _as_list(value: object) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _load_skos(
    path: Path, *, vocabulary: str, name: str, source: str, version: str = ""
) -> LoadResult:
    scheme = json.loads(path.read_text(encoding="utf-8"))
    concepts = scheme.get("concept", [])
    code_of = {concept["id"]: _skos_code(concept) for concept in concepts}
    rows = []
    for concept in concepts:
        # SKOS allows several broader concepts (22 activities have two); a tree keeps the first
        # one listed that the scheme holds, so reruns always pick the same parent.
        parents = [code_of[uri] for uri in _as_list(concept.get("broader")) if uri in code_of]
        rows.append(
            TermRow(
                code=_skos_code(concept),
                name=_clean(concept["prefLabel"]),
                description=_clean(concept.get("definition")),
                parent_code=parents[0] if parents else None,
                term_uri=concept["id"],
                alt_label="; ".join(_clean(label) for label in _as_list(concept.get("altLabel"))),
            )
        )
    spec = TaxonomySpec(
        vocabulary=vocabulary,
        name=_clean(scheme.get("title")) or name,
        description=_clean(scheme.get("description")) or name,
        uri=scheme.get("id", ""),
        version=version,
    )
    return _load(spec, rows, source=source)


def load_openactive_activities(*, source_dir: Path) -> LoadResult:
    """The OpenActive activity list (SKOS), coded by each concept's UUID identifier."""
    return _load_skos(
        Path(source_dir) / OPENACTIVE_ACTIVITIES_JSON,
        vocabulary=OPENACTIVE_ACTIVITIES,
        name="OpenActive Activity List",
        source="openactive-activities",
    )


def load_openactive_accessibility(*, source_dir: Path) -> LoadResult:
    """The OpenActive accessibility support list (SKOS), coded by the UUID after the `#`."""
    return _load_skos(
        Path(source_dir) / OPENACTIVE_ACCESSIBILITY_JSON,
        vocabulary=OPENACTIVE_ACCESSIBILITY,
        name="OpenActive Accessibility Support list",
        source="openactive-accessibility",
    )


# --- ORUK 1.0 enumerations ---------------------------------------------------------------------

# (resource, field) in the ORUK 1.0 data package → our vocabulary key and taxonomy name.
ORUK_ENUMERATIONS = {
    ("service", "attending_type"): (ORUK_ATTENDING_TYPE, "ORUK attending type"),
    ("service", "attending_access"): (ORUK_ATTENDING_ACCESS, "ORUK attending access"),
    ("eligibility", "eligibility"): (ORUK_ELIGIBILITY, "ORUK eligibility"),
    ("service", "deliverable_type"): (ORUK_DELIVERABLE_TYPE, "ORUK deliverable type"),
}


def load_oruk_enumerations(*, source_dir: Path) -> LoadResult:
    """ORUK 1.0's enumerations as flat taxonomies, one per field, coded by the published values."""
    package = json.loads((Path(source_dir) / ORUK_PACKAGE_JSON).read_text(encoding="utf-8"))
    result = LoadResult(source="oruk-enumerations")
    found = set()
    for resource in package.get("resources", []):
        for spec_field in resource.get("schema", {}).get("fields", []):
            key = (resource.get("name"), spec_field.get("name"))
            if key not in ORUK_ENUMERATIONS:
                continue
            found.add(key)
            vocabulary, name = ORUK_ENUMERATIONS[key]
            spec = TaxonomySpec(
                vocabulary=vocabulary,
                name=name,
                description=_clean(spec_field.get("description")) or name,
                uri=package.get("homepage", ""),
                version=str(package.get("version", "")),
            )
            rows = [
                # Values are lower case ("home visit"); the label only capitalises the first letter.
                TermRow(code=value, name=value[:1].upper() + value[1:])
                for value in spec_field.get("constraints", {}).get("enum", [])
            ]
            result.add(_load(spec, rows, source=result.source))
    result.warnings += [
        f"{resource}.{name} not found in the package"
        for resource, name in sorted(ORUK_ENUMERATIONS.keys() - found)
    ]
    return result


# --- Open Eligibility --------------------------------------------------------------------------

OPEN_ELIGIBILITY_SPEC = TaxonomySpec(
    vocabulary=OPEN_ELIGIBILITY,
    name="Open Eligibility",
    description=(
        "The Open Eligibility taxonomy of human services and human situations (who a service is "
        "for), as recommended by ORUK guidance. CC BY-SA 3.0."
    ),
    uri="https://github.com/auntbertha/openeligibility",
    version="2.0",
)
# The two parts of the file become two roots, so "situations and below" is the eligibility list.
OPEN_ELIGIBILITY_PARTS = {
    "services": ("Services", "Open Eligibility service categories: what a service offers."),
    "situations": ("Human situations", "Open Eligibility human situations: who a service is for."),
}


def load_open_eligibility(*, source_dir: Path) -> LoadResult:
    """Open Eligibility's services and situations trees under two roots coded by part name."""
    root = ET.parse(Path(source_dir) / OPEN_ELIGIBILITY_XML).getroot()
    result = LoadResult(source="open-eligibility")
    rows: list[TermRow] = []
    seen: dict[str, str] = {}

    def walk(element: ET.Element, parent_code: str, descriptions: dict[str, str]) -> None:
        for child in element:
            code = (child.get("id") or "").strip()
            if child.tag == "descriptions" or not code:
                continue
            title = _clean(child.get("title"))
            if code in seen:
                # The file gives "Primary Care" the id of its parent "Medical Care" (1206).
                result.warnings.append(
                    f"id {code} used twice ({seen[code]!r}, {title!r}); kept the first"
                )
            else:
                seen[code] = title
                rows.append(
                    TermRow(
                        code=code,
                        name=title,
                        description=descriptions.get(code, ""),
                        parent_code=parent_code,
                    )
                )
            walk(child, code, descriptions)

    for part, (name, description) in OPEN_ELIGIBILITY_PARTS.items():
        element = root.find(part)
        if element is None:
            result.warnings.append(f"no <{part}> part in the file")
            continue
        rows.append(TermRow(code=part, name=name, description=description))
        descriptions = {
            (category.get("id") or "").strip(): _clean(category.text)
            for category in element.findall("descriptions/category")
        }
        walk(element, part, descriptions)
    result.add(_load(OPEN_ELIGIBILITY_SPEC, rows, source=result.source))
    return result


Loader = Callable[..., LoadResult]

# Command-line names, in load order.
LOADERS: dict[str, Loader] = {
    "lga-service-types": load_lga_service_types,
    "openactive-activities": load_openactive_activities,
    "openactive-accessibility": load_openactive_accessibility,
    "oruk-enumerations": load_oruk_enumerations,
    "open-eligibility": load_open_eligibility,
}
