from django.core.management.base import BaseCommand, CommandError

from communities.organisations.credit_code import normalise
from communities.organisations.models import OrganisationPage
from communities.organisations.provisioning import provision_organisation_staff
from communities.regions.provisioning import ProvisioningError


class Command(BaseCommand):
    help = "Create the staff group of a social organisation (by credit code), with rights on its pages only."

    def add_arguments(self, parser):
        parser.add_argument("credit_code")
        parser.add_argument("--add-user", action="append", default=[], help="Username to put in the group.")

    def handle(self, credit_code, add_user, **options):
        from django.contrib.auth import get_user_model

        organisation = OrganisationPage.objects.filter(credit_code=normalise(credit_code)).first()
        if organisation is None:
            raise CommandError(f"No organisation with the credit code {credit_code}.")
        users = []
        for username in add_user:
            user = get_user_model().objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user named {username}.")
            users.append(user)
        try:
            access = provision_organisation_staff(organisation)
        except ProvisioningError as exc:
            raise CommandError(str(exc)) from exc
        for user in users:
            user.groups.add(access.staff_group)
        self.stdout.write(f"{access.staff_group.name}: {len(users)} user(s) added.")
