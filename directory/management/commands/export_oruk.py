from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.models import Location, Service
from directory.oruk import iter_service_documents, redact_confidential


class Command(BaseCommand):
    help = (
        "Export services as full ORUK 3.0 documents, streamed (constant memory): ndjson (one "
        "document a line) or a JSON array. By default the published services, exactly as the "
        "feed serves them; --feed narrows to one feed's policy; --all renders every service "
        "from the records, published or not. Confidential locations show only their postcode "
        "district and rounded coordinates, as in the open feed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["ndjson", "json"], default="ndjson")
        parser.add_argument("--output", help="file to write (default: standard output)")
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--all",
            action="store_true",
            dest="everything",
            help="every service, rendered from the records (drafts and unassured ones too)",
        )
        source.add_argument("--feed", help="only what this feed (its slug) publishes")
        parser.add_argument("--batch-size", type=int, default=500, help="with --all")

    def handle(
        self,
        *args,
        format: str,
        output: str | None,
        everything: bool,
        feed: str | None,
        batch_size: int,
        **options,
    ) -> None:
        texts = self._rendered(batch_size) if everything else self._published(feed)
        count = 0
        started = time.perf_counter()
        with Path(output).open("w", encoding="utf-8") if output else nullcontext() as handle:
            # OutputWrapper adds a newline per write unless told not to; a file does not.
            out = handle or _Unterminated(self.stdout)
            if format == "json":
                out.write("[")
            for text in texts:
                if format == "json":
                    out.write(("," if count else "") + "\n" + text)
                else:
                    out.write(text + "\n")
                count += 1
            if format == "json":
                out.write("\n]\n")
        seconds = time.perf_counter() - started
        if output:
            rate = f", {count / seconds:,.0f} services/s" if seconds and count else ""
            self.stderr.write(f"Exported {count} services to {output} in {seconds:.1f} s{rate}")

    def _published(self, slug: str | None) -> Iterator[str]:
        """The snapshots' stored documents: rendered and redacted when published, so this is a
        read of stored text in id order through one server-side cursor."""
        from publish.models import Feed, PublishedService

        snapshots = PublishedService.objects.all()
        if slug:
            chosen = Feed.objects.filter(slug=slug).first()
            if chosen is None:
                raise CommandError(f"There is no feed called {slug}")
            snapshots = snapshots.for_feed(chosen)
        return snapshots.order_by("pk").values_list("document", flat=True).iterator(2000)

    def _rendered(self, batch_size: int) -> Iterator[str]:
        # The export is open data like the feed. Confidential locations are few: one query.
        confidential = set(
            Location.objects.filter(is_confidential=True).values_list("pk", flat=True)
        )
        for document in iter_service_documents(Service.objects.all(), batch_size=batch_size):
            document = redact_confidential(document, confidential)
            yield json.dumps(document, ensure_ascii=False, separators=(",", ":"))


class _Unterminated:
    def __init__(self, wrapper) -> None:
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")
