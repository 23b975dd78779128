import json

from django.core.management.base import BaseCommand, CommandError

from participation.deliberations import ballot_log, ballots
from participation.deliberations.models import Topic


class Command(BaseCommand):
    help = "Check a topic's published ballot log (hash chain, roll count) and recount its result."

    def add_arguments(self, parser):
        parser.add_argument("topic", nargs="?", help="topic id")
        parser.add_argument("--file", help="verify a downloaded ballot log (JSON) instead of the database")

    def handle(self, *args, topic=None, file=None, **options):
        if file:
            try:
                with open(file, encoding="utf-8") as handle:
                    document = json.load(handle)
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read {file}: {error}") from error
        else:
            if not topic or not topic.isdigit():
                raise CommandError("Give a topic id or --file.")
            found = Topic.objects.filter(pk=topic).first()
            if found is None:
                raise CommandError(f"No topic {topic}.")
            found = ballots.seal_if_due(found)
            if not found.sealed_at:
                raise CommandError("Voting on this topic has not closed yet: there is no sealed log to verify.")
            document = ballots.document(found)
        problems, result = ballot_log.verify(document)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"The ballot log is NOT intact: {len(problems)} problem(s).")
        self.stdout.write(
            f"OK: {len(document['entries'])} ballots, chain intact, head {document['head']}; "
            f"recount equals the published result (passed: {result['passed']})."
        )
