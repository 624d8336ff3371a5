from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    verbose_name = "Accounts"

    def ready(self):
        from .roles import ensure_reference_data

        # Keep role groups and levels in place after every migrate (and a test database flush).
        post_migrate.connect(ensure_reference_data, sender=self, dispatch_uid="accounts_reference_data")
