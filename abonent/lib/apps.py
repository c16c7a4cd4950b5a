from django.apps import AppConfig


class LibConfig(AppConfig):
    """An app only so that its template library (templatetags/ru_format.py) can be loaded by every app's templates:
    Django finds template libraries in installed apps. No models."""

    name = "abonent.lib"
    label = "lib"
