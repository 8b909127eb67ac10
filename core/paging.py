"""Paging a long list without joining every row that comes before the page."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models


class IdsFirstPaginator(Paginator):
    """Pages over the rows' ids alone (an index scan), then loads only the page's rows with
    everything a row shows. A deep page (`?page=2000` of 100,000) otherwise makes the database
    join and annotate every row it skips; this way the skipping reads the index only.

    `ordered` is the filtered, ordered queryset; `load(ids)` returns the rows for those ids, in
    any order (they are put back in the page's order). One query more than a plain Paginator."""

    def __init__(
        self,
        ordered: models.QuerySet,
        per_page: int,
        load: Callable[[list[Any]], Sequence[models.Model]],
    ) -> None:
        super().__init__(ordered.values_list("pk", flat=True), per_page)
        self.load = load

    def _get_page(self, object_list: Any, number: int, paginator: Paginator) -> Page:
        ids = list(object_list)
        by_id = {row.pk: row for row in self.load(ids)} if ids else {}
        return super()._get_page([by_id[pk] for pk in ids if pk in by_id], number, paginator)
