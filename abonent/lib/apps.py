from django.apps import AppConfig


class LibConfig(AppConfig):
    """An app so that its template library (templatetags/ru_format.py) can be loaded by every app's templates:
    Django finds template libraries in installed apps. No models. At start-up it gives the back office the
    Russian text of Decimal columns (admin_numbers)."""

    name = "abonent.lib"
    label = "lib"

    def ready(self):
        from . import admin_numbers

        admin_numbers.install()
