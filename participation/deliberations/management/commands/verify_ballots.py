import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from participation.deliberations import ballot_log, ballots
from participation.deliberations.models import Phase, Topic


class Command(BaseCommand):
    help = (
        "Check a topic's ballots: while voting is open, that no ballot was changed, deleted or inserted outside "
        "the vote path (the running commitment); once sealed, that too, and the published log (hash chain, "
        "commitment, roll count) and its recount."
    )

    def add_arguments(self, parser):
        parser.add_argument("topic", nargs="?", help="topic id")
        parser.add_argument("--file", help="verify a downloaded ballot log (JSON) instead of the database")
        parser.add_argument("--election", help="an election's id instead of a topic's (the same ballots core)")

    def handle(self, *args, topic=None, file=None, election=None, **options):
        if file:
            try:
                with open(file, encoding="utf-8") as handle:
                    document = json.load(handle)
            except (OSError, ValueError) as error:
                raise CommandError(f"Cannot read {file}: {error}") from error
            self._report(*ballot_log.verify(document), document=document)
            return
        if election is not None:
            box = ballots.box_named("election")
            if box is None or not election.isdigit() or len(election) > 18:
                raise CommandError("Give an election id.")
            found = box.owner_model.objects.filter(pk=election).first()
            if found is None:
                raise CommandError(f"No election {election}.")
            if found.voting_starts > timezone.now():
                raise CommandError("Voting in this election has not started yet: there are no ballots to verify.")
        else:
            if not topic or not topic.isdigit() or len(topic) > 18:
                raise CommandError("Give a topic id, --election or --file.")
            found = Topic.objects.filter(pk=topic).first()
            if found is None:
                raise CommandError(f"No topic {topic}.")
            if found.current_phase() in (Phase.PROPOSAL, Phase.DISCUSSION):
                raise CommandError("Voting on this topic has not started yet: there are no ballots to verify.")
        found = ballots.seal_if_due(found)
        tampering = ballots.commitment_problems(found)
        if not found.sealed_at:
            self._fail_on(tampering)
            running = ballots.running_commitment(found)
            count, digest = (running["count"], running["digest"]) if running else (0, "-")
            self.stdout.write(
                f"OK so far (voting has not closed, no sealed log yet): {count} ballots, each added by a vote; "
                f"running commitment {digest}."
            )
            return
        document = ballots.document(found)
        problems, result = ballot_log.verify(document)
        self._report(tampering + problems, result, document=document)

    def _fail_on(self, problems):
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"The ballot log is NOT intact: {len(problems)} problem(s).")

    def _report(self, problems, result, *, document):
        self._fail_on(problems)
        self.stdout.write(
            f"OK: {len(document['entries'])} ballots, chain intact, head {document['head']}; "
            f"recount equals the published result ({self._outcome(result)})."
        )

    @staticmethod
    def _outcome(result) -> str:
        if "passed" in result:
            return f"passed: {result['passed']}"
        return f"valid: {result.get('valid')}, seats left empty: {result.get('empty_seats')}"
