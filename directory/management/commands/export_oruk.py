from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from directory.models import Location, Service
from directory.oruk import iter_service_documents, redact_confidential


class Command(BaseCommand):
    help = (
        "Export every service as a full ORUK 3.0 document, streamed in batches (constant memory): "
        "ndjson (one document a line) or a JSON array. Confidential locations show only their "
        "postcode district and rounded coordinates, as in the open feed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["ndjson", "json"], default="ndjson")
        parser.add_argument("--output", help="file to write (default: standard output)")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, format: str, output: str | None, batch_size: int, **options) -> None:
        count = 0
        # The export is open data like the feed. Confidential locations are few: one query.
        confidential = set(
            Location.objects.filter(is_confidential=True).values_list("pk", flat=True)
        )
        with Path(output).open("w", encoding="utf-8") if output else nullcontext() as handle:
            # OutputWrapper adds a newline per write unless told not to; a file does not.
            out = handle or _Unterminated(self.stdout)
            if format == "json":
                out.write("[")
            for document in iter_service_documents(Service.objects.all(), batch_size=batch_size):
                document = redact_confidential(document, confidential)
                text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
                if format == "json":
                    out.write(("," if count else "") + "\n" + text)
                else:
                    out.write(text + "\n")
                count += 1
            if format == "json":
                out.write("\n]\n")
        if output:
            self.stderr.write(f"Exported {count} services to {output}")


class _Unterminated:
    def __init__(self, wrapper) -> None:
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")
