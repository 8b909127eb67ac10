from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from publish.feedcheck import ClientTransport, HttpTransport, check_feed


class Command(BaseCommand):
    help = (
        "Check an ORUK 3.0 feed as the official validator does (api_details; first, middle and "
        "last page of every list; up to ten items each; schema validation) and print a report. "
        "Without BASE_URL, checks this portal's own default feed in-process, as served at "
        "PORTAL_BASE_URL."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("base_url", nargs="?", help="e.g. http://127.0.0.1:8000/api/v3/")

    def handle(self, *args, base_url: str | None, **options) -> None:
        try:
            transport = HttpTransport(base_url) if base_url else ClientTransport()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        report = check_feed(transport)
        for line in report.lines():
            self.stdout.write(line)
        if not report.passed:
            raise CommandError("The feed does not conform to ORUK 3.0 (see FAIL lines above)")
