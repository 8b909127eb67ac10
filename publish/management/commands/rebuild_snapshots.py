from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from core.bulk import analyze
from directory.models import Service
from publish import models as published
from publish.api.views import warm_service_lists
from publish.services import snapshots_rebuild

SNAPSHOT_MODELS = (
    published.PublishedService,
    published.PublishedServiceTerm,
    published.PublishedServiceAtLocation,
    published.PublishedServiceArea,
    published.PublishedSchedule,
    published.PublishedClosure,
    published.PublishedServiceFacet,
    published.PublishedWord,
    published.PublishedOrganization,
)


class Command(BaseCommand):
    help = (
        "Republish every service: render the ORUK snapshot of each publishable service, in "
        "batches (constant memory), and remove the snapshots of the rest."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size: int, **options) -> None:
        started = time.perf_counter()
        with tqdm(total=Service.objects.count(), unit=" services", disable=None) as bar:
            result = snapshots_rebuild(batch_size=batch_size, progress=bar.update)
        # Every snapshot is new: without fresh statistics the finder plans for the old rows.
        analyze(SNAPSHOT_MODELS)
        warm_service_lists()
        seconds = time.perf_counter() - started
        self.stdout.write(
            f"Published {result.published} services, removed {result.unpublished} snapshots "
            f"in {seconds:.1f} s."
        )
