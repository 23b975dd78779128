from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ElectionsConfig(AppConfig):
    name = "participation.elections"
    label = "elections"
    verbose_name = _("Elections")

    def ready(self):
        from participation.deliberations import append_only
        from portal.accounts import actions

        Requirement = actions.Requirement
        verified = [Requirement.VERIFIED]
        actions.register("elections.vote", _("vote in elections"), Requirement.VERIFIED, choices=verified)
        actions.register("elections.object", _("object to a voter list"), Requirement.VERIFIED, choices=verified)
        actions.register("elections.nominate", _("nominate candidates"), Requirement.VERIFIED, choices=verified)
        from . import api, box, privacy  # noqa: F401  (the ballot box of the core; export and erasure)
        from .models import APPEND_ONLY_TABLES

        append_only.register(*APPEND_ONLY_TABLES)
        from . import governance

        governance.register()  # the self-governance section (社区自治) lists elections and committees
        api.connect()
