"""Ballots append-only: their place in the chain moves to LogEntry (written once, at the seal), each vote
writes a running commitment, and triggers refuse UPDATE and DELETE of all three tables.

Existing data: a sealed topic's seq/prev_hash/chain_hash become its log entries, and every topic
that has ballots gets one "adopted" commitment to the ballots it has now (what was changed before
this migration cannot be told apart any more; what is changed after it can)."""

import secrets

import django.db.models.deletion
from django.db import migrations, models

from participation.deliberations import append_only, ballot_log


def copy_chain_and_adopt(apps, schema_editor):
    Ballot = apps.get_model("deliberations", "Ballot")
    LogEntry = apps.get_model("deliberations", "LogEntry")
    BallotCommitment = apps.get_model("deliberations", "BallotCommitment")
    topic_ids = Ballot.objects.values_list("topic_id", flat=True).distinct().order_by()
    for topic_id in topic_ids:
        ballots = list(Ballot.objects.filter(topic_id=topic_id))
        LogEntry.objects.bulk_create(
            LogEntry(ballot=b, topic_id=topic_id, seq=b.seq, prev_hash=b.prev_hash, chain_hash=b.chain_hash)
            for b in ballots
            if b.seq is not None
        )
        hashes = [
            ballot_log.ballot_hash(
                {"option": b.option_id, "weight": b.weight, "receipt_hash": b.receipt_hash, "voter": b.voter_name}
            )
            for b in ballots
        ]
        salt = secrets.token_hex(16)
        BallotCommitment.objects.create(
            topic_id=topic_id,
            origin="adopted",
            found=len(hashes),
            prior_digest="",
            count=len(hashes),
            salt=salt,
            digest=ballot_log.commitment(salt, hashes),
        )
    if schema_editor.connection.vendor == "postgresql":
        # Check the new foreign keys now: PostgreSQL refuses to ALTER a table with pending trigger events.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def install_triggers(apps, schema_editor):
    append_only.install(schema_editor)


def uninstall_triggers(apps, schema_editor):
    append_only.uninstall(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('deliberations', '0004_topic_documents_update_photos'),
    ]

    operations = [
        migrations.CreateModel(
            name='BallotCommitment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('origin', models.CharField(choices=[('vote', 'a vote'), ('adopted', 'ballots cast before commitments existed')], default='vote', max_length=10)),
                ('found', models.PositiveIntegerField()),
                ('prior_digest', models.CharField(max_length=64)),
                ('count', models.PositiveIntegerField()),
                ('salt', models.CharField(max_length=64)),
                ('digest', models.CharField(max_length=64)),
            ],
            options={
                'verbose_name': 'ballot commitment',
            },
        ),
        migrations.CreateModel(
            name='LogEntry',
            fields=[
                ('ballot', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='log_entry', serialize=False, to='deliberations.ballot')),
                ('seq', models.PositiveIntegerField()),
                ('prev_hash', models.CharField(max_length=64)),
                ('chain_hash', models.CharField(max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name='ballotcommitment',
            name='topic',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='commitments', to='deliberations.topic'),
        ),
        migrations.AddField(
            model_name='logentry',
            name='topic',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='log_entries', to='deliberations.topic'),
        ),
        migrations.AddConstraint(
            model_name='logentry',
            constraint=models.UniqueConstraint(fields=('topic', 'seq'), name='log_entry_unique_seq'),
        ),
        migrations.RunPython(copy_chain_and_adopt, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name='ballot',
            name='ballot_unique_seq',
        ),
        migrations.RemoveField(
            model_name='ballot',
            name='chain_hash',
        ),
        migrations.RemoveField(
            model_name='ballot',
            name='prev_hash',
        ),
        migrations.RemoveField(
            model_name='ballot',
            name='seq',
        ),
        migrations.RunPython(install_triggers, uninstall_triggers),
    ]
