"""Election ballots, their log entries and running commitments refuse UPDATE and DELETE, like a topic's
(the one mechanism: participation.deliberations.append_only)."""

from django.db import migrations

from participation.deliberations import append_only

TABLES = ("elections_ballot", "elections_logentry", "elections_ballotcommitment")


def install(apps, schema_editor):
    append_only.install(schema_editor, TABLES)


def uninstall(apps, schema_editor):
    append_only.uninstall(schema_editor, TABLES, keep_function=True)


class Migration(migrations.Migration):
    dependencies = [
        ("elections", "0001_initial"),
        ("deliberations", "0005_ballots_append_only"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
