from django.apps import AppConfig
from django.conf import settings
from django.core import checks


class DocumentsConfig(AppConfig):
    name = "apps.documents"
    verbose_name = "Documents"

    def ready(self):
        from .toolkit import faces

        faces.set_font_dirs(getattr(settings, "DOCUMENT_FONT_DIRS", ()))
        checks.register(check_pdf_fonts)


def check_pdf_fonts(app_configs=None, **kwargs):
    """A warning at start-up (runserver, migrate, check) when a font the PDFs embed is not installed."""
    from .toolkit import faces

    report = faces.missing_fonts_report()
    if report is None:
        return []
    problem, hint = report
    return [checks.Warning(problem, hint=hint, id="documents.W001")]
