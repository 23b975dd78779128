from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from communities.regions.provisioning import ProvisioningError


class ProvisioningCommand(BaseCommand):
    """Turns provisioning errors into a clear message and a non-zero exit."""

    def handle(self, *args, **options):
        try:
            return self.provision(*args, **options)
        except ProvisioningError as exc:
            raise CommandError(str(exc)) from exc
        except IntegrityError as exc:
            raise CommandError(f"Nothing was changed: the database refused the change ({exc}).") from exc

    def provision(self, *args, **options):
        raise NotImplementedError
