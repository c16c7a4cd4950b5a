from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    """Applications filed on the site by people who are not (yet) subscribers of the cabinet: to connect to the
    cabinet (seed 000) and to connect a new building to the networks (seed 002). Both are one concept — a paper
    application with copies of documents, reviewed by an operator, its status shown to the applicant by a link."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "abonent.applications"
    verbose_name = "Заявления с сайта"

    def ready(self):
        from abonent.orgs.services import OPERATOR_MODELS

        OPERATOR_MODELS.setdefault("applications", ["cabinetapplication", "connectionapplication"])
