from django.db import migrations

from apps.accounts.roles import sync_role_permissions
from apps.warehouses.roles import ZONE_ROLE_PERMISSIONS


def forwards(apps, schema_editor):
    sync_role_permissions(apps, ZONE_ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("warehouses", "0003_customer_default_and_zones")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
