"""Create the staff role groups with their permissions, and the customer levels."""

from django.db import migrations

from apps.accounts.roles import ROLE_PERMISSIONS, ensure_customer_levels, sync_role_permissions


def forwards(apps, schema_editor):
    sync_role_permissions(apps, ROLE_PERMISSIONS)
    ensure_customer_levels(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
