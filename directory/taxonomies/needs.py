"""Import needs and circumstances, and their LGA service type mappings, from a CSV file.

Columns: `kind` (need or circumstance), `code`, `label`, and optionally `description`,
`parent_code` (a code of the same kind, in the file or already loaded) and `service_type_codes`
(LGA service type ids separated by `;`). The import is all or nothing: every row is checked
first, and if any row has a problem nothing is written. For each term in the file its mappings
become exactly the service types listed, so a rerun changes nothing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from directory.models import Circumstance, Need, TaxonomyTerm, TermMapping

from .identity import LGA_SERVICE_TYPES
from .loaders import TermRow, rebuild_taxonomy_paths, sync_terms

KINDS: dict[str, type[Need] | type[Circumstance]] = {"need": Need, "circumstance": Circumstance}
REQUIRED_COLUMNS = ("kind", "code", "label")
OPTIONAL_COLUMNS = ("description", "parent_code", "service_type_codes")
# Set in the admin rather than the CSV, so an import leaves them as they are.
ADMIN_OWNED_FIELDS = ("alt_label", "discontinued")

DEMO_MAPPING = Path(__file__).resolve().parent.parent / "demo" / "needs_mapping.csv"


@dataclass(frozen=True)
class RowProblem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    message: str

    def __str__(self) -> str:
        return f"Row {self.row}: {self.message}"


@dataclass
class ImportReport:
    """Counts of terms and mappings written, or the problems that stopped the import."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    mappings_created: int = 0
    mappings_removed: int = 0
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class NeedsImportError(Exception):
    def __init__(self, problems: list[RowProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class _Row:
    number: int
    kind: str
    code: str
    label: str
    description: str
    parent_code: str
    service_type_codes: tuple[str, ...]


def _read(path: Path) -> tuple[list[_Row], list[RowProblem]]:
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = [(name or "").strip() for name in reader.fieldnames or []]
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        if missing:
            return [], [RowProblem(1, f"missing column {', '.join(missing)}")]
        reader.fieldnames = columns
        rows = []
        for number, record in enumerate(reader, start=2):
            value = {name: (record.get(name) or "").strip() for name in columns}
            codes = (c.strip() for c in value.get("service_type_codes", "").split(";"))
            rows.append(
                _Row(
                    number=number,
                    kind=value["kind"].lower(),
                    code=value["code"],
                    label=" ".join(value["label"].split()),
                    description=value.get("description", ""),
                    parent_code=value.get("parent_code", ""),
                    service_type_codes=tuple(dict.fromkeys(c for c in codes if c)),
                )
            )
    return rows, []


def _validate(rows: list[_Row], service_type_ids: dict[str, object]) -> list[RowProblem]:
    problems: list[RowProblem] = []
    first_row: dict[tuple[str, str], int] = {}
    # code → parent code for each kind: what is loaded already, overlaid with the file.
    parents = {
        kind: dict(model.objects.exclude(term="").values_list("term", "parent__term"))
        for kind, model in KINDS.items()
    }
    for row in rows:
        if row.kind in KINDS and row.code:
            parents[row.kind][row.code] = row.parent_code or None

    for row in rows:
        if row.kind not in KINDS:
            shown = row.kind or "(blank)"
            problems.append(
                RowProblem(row.number, f"unknown kind {shown}: use need or circumstance")
            )
        if not row.code:
            problems.append(RowProblem(row.number, "missing code"))
        if not row.label:
            problems.append(RowProblem(row.number, "missing label"))
        if row.kind in KINDS and row.code:
            key = (row.kind, row.code)
            if key in first_row:
                problems.append(
                    RowProblem(
                        row.number, f"{row.kind} {row.code} is already on row {first_row[key]}"
                    )
                )
            first_row.setdefault(key, row.number)
        unknown = [code for code in row.service_type_codes if code not in service_type_ids]
        if unknown:
            problems.append(
                RowProblem(row.number, f"unknown LGA service type code {', '.join(unknown)}")
            )
        if row.parent_code and row.kind in KINDS:
            known = parents[row.kind]
            if row.parent_code == row.code:
                problems.append(RowProblem(row.number, "a term cannot be its own parent"))
            elif row.parent_code not in known:
                problems.append(
                    RowProblem(row.number, f"unknown parent {row.kind} {row.parent_code}")
                )
            elif row.code and _has_loop(row.code, known):
                problems.append(RowProblem(row.number, f"parent {row.parent_code} makes a loop"))
    return problems


def _has_loop(code: str, parents: dict[str, str | None]) -> bool:
    seen = {code}
    current = parents.get(code)
    while current:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def import_needs_mapping(*, path: Path) -> ImportReport:
    """Create or update needs, circumstances and their mappings from the CSV at `path`.

    Returns a report; if it has problems (every one, with its row number), nothing was written.
    """
    rows, problems = _read(path)
    if problems:
        return ImportReport(problems=problems)
    wanted_codes = {code for row in rows for code in row.service_type_codes}
    service_type_ids = dict(
        TaxonomyTerm.objects.filter(
            taxonomy__vocabulary=LGA_SERVICE_TYPES, term__in=wanted_codes
        ).values_list("term", "id")
    )
    problems = _validate(rows, service_type_ids)
    if problems:
        return ImportReport(problems=problems)

    report = ImportReport()
    with transaction.atomic():
        for kind, model in KINDS.items():
            kind_rows = [row for row in rows if row.kind == kind]
            if not kind_rows:
                continue
            taxonomy = model.vocabulary_taxonomy()
            result, ids = sync_terms(
                taxonomy=taxonomy,
                rows=[
                    TermRow(
                        code=row.code,
                        name=row.label,
                        description=row.description,
                        parent_code=row.parent_code or None,
                    )
                    for row in kind_rows
                ],
                source=str(path),
                keep=ADMIN_OWNED_FIELDS,
            )
            rebuild_taxonomy_paths(taxonomy)
            report.created += result.created
            report.updated += result.updated
            report.unchanged += result.unchanged
            _sync_mappings(kind_rows, ids, service_type_ids, report)
    return report


def _sync_mappings(
    rows: list[_Row], ids: dict, service_type_ids: dict, report: ImportReport
) -> None:
    wanted = {
        (ids[row.code], service_type_ids[code]) for row in rows for code in row.service_type_codes
    }
    existing = {
        (from_id, service_type_id): pk
        for pk, from_id, service_type_id in TermMapping.objects.filter(
            from_term_id__in=[ids[row.code] for row in rows]
        ).values_list("pk", "from_term_id", "service_type_id")
    }
    TermMapping.objects.bulk_create(
        [
            TermMapping(from_term_id=from_id, service_type_id=service_type_id)
            for from_id, service_type_id in sorted(wanted - existing.keys(), key=str)
        ]
    )
    stale = [pk for key, pk in existing.items() if key not in wanted]
    TermMapping.objects.filter(pk__in=stale).delete()
    report.mappings_created += len(wanted - existing.keys())
    report.mappings_removed += len(stale)


def ensure_demo_needs() -> ImportReport:
    """Import our starter needs and circumstances (`directory/demo/needs_mapping.csv`).

    Call it after the demo's LGA service types exist: the mapping refers to them by id.
    Raises `NeedsImportError` if the file does not fit the database.
    """
    report = import_needs_mapping(path=DEMO_MAPPING)
    if not report.ok:
        raise NeedsImportError(report.problems)
    return report
