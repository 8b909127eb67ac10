"""`manage.py seed_demo`: fill the directory with realistic, fictional demo data."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.demo.seed import NATIONAL_THRESHOLD, seed_demo


class Command(BaseCommand):
    help = (
        "Seed demo organisations and services in Kingston upon Hull (or across England and "
        f"Wales above {NATIONAL_THRESHOLD:,} services). The same seed gives the same data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--services", type=int, default=300, help="How many services")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if the directory already has services",
        )
        parser.add_argument(
            "--national",
            action="store_true",
            default=None,
            help="Spread the data across England and Wales whatever the number of services",
        )

    def handle(self, *args, **options) -> None:
        if options["services"] < 1:
            raise CommandError("--services must be at least 1")
        report = seed_demo(
            services=options["services"],
            seed=options["seed"],
            stdout=self.stdout,
            national=options["national"],
            if_empty=options["if_empty"],
        )
        self.stdout.write(self.style.SUCCESS(report.summary()))
