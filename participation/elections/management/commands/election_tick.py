from django.core.management.base import BaseCommand

from participation.elections.tasks import tick


class Command(BaseCommand):
    help = (
        "Advance every election in progress: publish voter lists whose date has come, seal the ballot log of "
        "elections whose voting has ended, and tell the electorate about each new phase (run it from cron)."
    )

    def handle(self, *args, **options):
        for pk in tick():
            self.stdout.write(f"election {pk} advanced")
