"""Existing parcels get the status their manifest implies: on no manifest, packed; on an open
manifest, manifested; on a closed one, shipped (handed over)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Parcel = apps.get_model("fulfillment", "Parcel")
    Parcel.objects.filter(manifest__isnull=True).update(status="packed")
    Parcel.objects.filter(manifest__status="open").update(status="manifested")
    Parcel.objects.filter(manifest__status="closed").update(status="shipped")


class Migration(migrations.Migration):
    dependencies = [
        ("fulfillment", "0003_parcel_status_and_events"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
