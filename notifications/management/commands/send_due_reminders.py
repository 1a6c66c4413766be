from __future__ import annotations

from django.core.management.base import BaseCommand

from notifications import sending


class Command(BaseCommand):
    help = (
        "Run the reminder sweep now (what beat runs every two minutes): create the due "
        "reminders and send them. Safe to run while workers run: each email goes out once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--digests", action="store_true", help="Also run the weekly digest sweep."
        )

    def handle(self, *args, digests: bool = False, **options) -> None:
        report = sending.reminders_sweep(budget_seconds=float("inf"))
        self.stdout.write(f"Reminders: {report}.")
        if digests:
            report = sending.digests_sweep(budget_seconds=float("inf"))
            self.stdout.write(f"Digests: {report}.")
