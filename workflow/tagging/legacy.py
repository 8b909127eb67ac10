"""Legacy classifications: read an old directory's categories from CSV, keep them, map them.

`parse_categories` checks a whole file and reports every problem with its line number;
`legacy_scheme_upload` and `legacy_category_map` are the writes (policy, one transaction, audit).
The import side, which applies the mapping, is in `legacy_import.py`.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from accounts.models import AuditAction
from accounts.policy import Action
from accounts.services._base import require
from accounts.services.audit import audit_record
from core.concurrency import check_version
from directory.models import TaxonomyTerm

from .classification import service_types
from .models import LegacyCategory, LegacyScheme

COLUMNS = ("code", "label", "parent")
REQUIRED_COLUMNS = ("code", "label")
MAX_LENGTH = 255


@dataclass(frozen=True)
class CategoryRow:
    """One category read from the file, with the line it was on."""

    line: int
    code: str
    label: str
    parent: str = ""


@dataclass(frozen=True)
class UploadResult:
    scheme: LegacyScheme
    created_scheme: bool
    added: int
    updated: int
    unchanged: int


def lga_service_types() -> models.QuerySet[TaxonomyTerm]:
    """The terms a legacy category may map to: the LGA service types still in use (not the
    functions above them, which the tagging screen does not offer either)."""
    return service_types().order_by("name", "pk")


def parse_categories(data: bytes) -> tuple[list[CategoryRow], list[str]]:
    """The categories in a CSV file (a header row naming code, label and optionally parent, then
    one category a row), and every problem found, each starting with its line number.

    Nothing is returned as rows unless the whole file is good: the caller saves all or nothing.
    """
    if len(data) > settings.PORTAL_LEGACY_CSV_MAX_BYTES:
        limit = settings.PORTAL_LEGACY_CSV_MAX_BYTES // 1000
        return [], [f"The file must be smaller than {limit} KB"]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], [f"Line {line}: the file must be saved as UTF-8 CSV (CSV UTF-8 in Excel)"]
    if "\x00" in text:
        return [], ["The file must be a CSV file, not a spreadsheet or other document"]
    reader = csv.reader(io.StringIO(text, newline=""))
    problems: list[str] = []
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [f"Line 1: {exc}"]
    if header is None or not any(cell.strip() for cell in header):
        return [], ["The file is empty: it needs a header row (code,label,parent) and categories"]
    names = [cell.strip().lower() for cell in header]
    unknown = [name for name in names if name and name not in COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing or unknown or len(set(names)) != len(names):
        return [], [
            "Line 1: the first row must name the columns code and label, and optionally parent"
            + (f" (it has {', '.join(repr(cell) for cell in header)})" if header else "")
        ]
    index = {name: names.index(name) for name in COLUMNS if name in names}
    rows: list[CategoryRow] = []
    seen: dict[str, int] = {}
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) >= settings.PORTAL_LEGACY_CSV_MAX_ROWS:
                problems.append(
                    f"Line {line}: a file can hold at most "
                    f"{settings.PORTAL_LEGACY_CSV_MAX_ROWS} categories: split it into several"
                )
                break
            if len(cells) > len(names):
                problems.append(
                    f"Line {line}: has {len(cells)} values, but the header names only "
                    f"{len(names)} columns"
                )
                continue
            values = {name: cells[i].strip() if i < len(cells) else "" for name, i in index.items()}
            row = CategoryRow(line, values["code"], values["label"], values.get("parent", ""))
            problems += _row_problems(row, seen)
            seen.setdefault(row.code.casefold(), line)
            rows.append(row)
    except csv.Error as exc:
        problems.append(f"Line {reader.line_num}: {exc}")
    if not rows and not problems:
        problems.append("The file has a header row but no categories")
    return ([] if problems else rows), problems


def _row_problems(row: CategoryRow, seen: dict[str, int]) -> list[str]:
    problems = []
    if not row.code:
        problems.append(f"Line {row.line}: enter the category's code")
    elif row.code.casefold() in seen:
        problems.append(
            f"Line {row.line}: code {row.code} is also on line {seen[row.code.casefold()]}: "
            "each category needs its own code"
        )
    if not row.label:
        problems.append(f"Line {row.line}: enter the category's label")
    for name in ("code", "label", "parent"):
        if len(getattr(row, name)) > MAX_LENGTH:
            problems.append(f"Line {row.line}: the {name} must be {MAX_LENGTH} characters or fewer")
    return problems


def legacy_scheme_upload(*, actor: Any, name: str, rows: list[CategoryRow]) -> UploadResult:
    """Keep the categories of the scheme called `name` (made if new, matched whatever its case).

    Categories are matched by code: new codes are added, known codes take the file's label and
    parent and keep their mapping, and categories the file leaves out stay as they are.
    """
    require(actor, Action.MANAGE_TAXONOMIES)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Enter the name of the old directory's classification"})
    with transaction.atomic():
        scheme = LegacyScheme.objects.select_for_update().named(name).first()
        created = scheme is None
        if created:
            scheme = LegacyScheme(name=name, uploaded_by=actor)
            scheme.full_clean()
            scheme.save()
        existing = {c.code.casefold(): c for c in scheme.categories.all()}
        last = max((c.position for c in existing.values()), default=0)
        new, changed = [], []
        for row in rows:
            category = existing.get(row.code.casefold())
            if category is None:
                last += 1
                new.append(
                    LegacyCategory(
                        scheme=scheme,
                        code=row.code,
                        label=row.label,
                        parent_label=row.parent,
                        position=last,
                    )
                )
            elif (category.label, category.parent_label) != (row.label, row.parent):
                category.label, category.parent_label = row.label, row.parent
                changed.append(category)
        LegacyCategory.objects.bulk_create(new, batch_size=1000)
        LegacyCategory.objects.bulk_update(changed, ["label", "parent_label", "updated_at"])
        if not created:
            scheme.uploaded_by = actor
            scheme.save(update_fields=["uploaded_by", "updated_at"])
        result = UploadResult(
            scheme=scheme,
            created_scheme=created,
            added=len(new),
            updated=len(changed),
            unchanged=len(rows) - len(new) - len(changed),
        )
        audit_record(
            action=AuditAction.LEGACY_CATEGORIES_UPLOADED,
            actor=actor,
            target=scheme,
            detail={
                "scheme": scheme.name,
                "added": result.added,
                "updated": result.updated,
                "unchanged": result.unchanged,
            },
        )
    return result


def legacy_category_state(service_type_ids: Any) -> dict[str, Any]:
    """What the mapping form shows of a category, for its version (core.concurrency)."""
    return {"service_types": sorted(map(str, service_type_ids))}


def legacy_category_map(
    *,
    actor: Any,
    category: LegacyCategory,
    service_types: list[TaxonomyTerm],
    expected_version: str | None = None,
) -> bool:
    """Map `category` to exactly `service_types` (LGA service types; none unmaps it); say
    whether anything changed. Who mapped it, and when, is kept with the category. Raises
    StaleEdit if the mapping changed since the form showing `expected_version` was loaded."""
    require(actor, Action.MANAGE_TAXONOMIES)
    wanted = {term.pk for term in service_types}
    allowed = set(lga_service_types().filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - allowed:
        raise ValidationError({"service_types": "Select LGA service types only"})
    with transaction.atomic():
        category = LegacyCategory.objects.select_for_update().get(pk=category.pk)
        before = set(category.service_types.values_list("pk", flat=True))
        check_version(expected_version, legacy_category_state(before))
        if before == wanted:
            return False
        category.service_types.set(wanted)
        category.mapped_by = actor if wanted else None
        category.mapped_at = timezone.now() if wanted else None
        category.save(update_fields=["mapped_by", "mapped_at", "updated_at"])
        names = dict(TaxonomyTerm.objects.filter(pk__in=before | wanted).values_list("pk", "name"))
        audit_record(
            action=AuditAction.LEGACY_CATEGORY_MAPPED,
            actor=actor,
            target=category,
            target_label=f"{category.scheme.name}: {category.label}"[:255],
            detail={
                "scheme": category.scheme.name,
                "code": category.code,
                "from": sorted(names[pk] for pk in before),
                "to": sorted(names[pk] for pk in wanted),
            },
        )
    return True
