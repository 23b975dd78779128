from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count

from communities.regions.models import Community
from participation.forums.models import Post, Thread


class Command(BaseCommand):
    help = "Recompute forum counters (replies, likes, last post number) from the posts and likes."

    def add_arguments(self, parser):
        parser.add_argument("--community", help="Only this community's slug.")

    def handle(self, *args, **options):
        threads = Thread.objects.all()
        slug = options["community"]
        if slug:
            if not Community.objects.filter(slug=slug).exists():
                raise CommandError(f"No community with slug '{slug}'.")
            threads = threads.filter(community__slug=slug)
        fixed = 0
        for thread in threads.only("pk").iterator(chunk_size=500):
            with transaction.atomic():
                before = Thread.objects.filter(pk=thread.pk).values_list("reply_count", "like_count").first()
                likes = (
                    Post.objects.filter(thread=thread).annotate(n=Count("likes")).values_list("pk", "like_count", "n")
                )
                for pk, stored, actual in likes:
                    if stored != actual:
                        Post.objects.filter(pk=pk).update(like_count=actual)
                thread.recount()
                after = Thread.objects.filter(pk=thread.pk).values_list("reply_count", "like_count").first()
                fixed += before != after
        self.stdout.write(f"{threads.count()} threads checked, {fixed} corrected.")
