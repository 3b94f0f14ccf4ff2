"""Close as 未评价 the resolved requests nobody rated in time (the worker does it every minute;
this is for a cron job where the worker does not run)."""

from django.core.management.base import BaseCommand

from jiceng.cases import services


class Command(BaseCommand):
    help = "close resolved requests nobody rated within cases.auto_close_workdays"

    def handle(self, *args, **options):
        self.stdout.write(f"closed {services.auto_close_due()}")
