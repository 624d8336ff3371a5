from django.db import migrations

from apps.accounts.roles import sync_role_permissions
from apps.integrations.roles import ROLE_PERMISSIONS


def forwards(apps, schema_editor):
    sync_role_permissions(apps, ROLE_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("integrations", "0006_order_updates"), ("accounts", "0002_roles_and_levels")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
