from django.core.management.base import BaseCommand
from django.utils import timezone

from participation.deliberations import ballots
from participation.deliberations.models import Topic


class Command(BaseCommand):
    help = "Seal the ballot log of every topic whose voting has ended (safe to run often)."

    def handle(self, *args, **options):
        due = Topic.objects.filter(sealed_at__isnull=True, voting_ends__lte=timezone.now())
        for topic in due:
            ballots.seal(topic)
            self.stdout.write(f"sealed topic {topic.pk}")
