from django.db import migrations


class Migration(migrations.Migration):
    """The complaint form checks a pin against the community's own boundary (Community.boundary, the region
    boundaries of the map); the old per-settings boundary was copied there by 0008."""

    dependencies = [
        ("complaints", "0008_copy_complaint_boundaries_to_communities"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="complaintsettings",
            name="boundary",
        ),
    ]
