"""Create the staff role groups with their permissions, and the customer levels."""

from django.db import migrations

from apps.accounts.roles import ROLE_PERMISSIONS, sync_role_permissions

LEVELS = [
    ("standard", "Standard", 0, "List prices."),
    ("silver", "Silver", 10, "Volume discount on fulfilment and freight."),
    ("gold", "Gold", 20, "Larger discounts and priority handling."),
    ("vip", "VIP", 30, "Negotiated prices and a dedicated team."),
]


def forwards(apps, schema_editor):
    sync_role_permissions(apps, ROLE_PERMISSIONS)
    CustomerLevel = apps.get_model("accounts", "CustomerLevel")
    for code, name, rank, description in LEVELS:
        CustomerLevel.objects.update_or_create(
            code=code, defaults={"name": name, "rank": rank, "description": description}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
