from django.conf import settings


def site(request):
    return {"SITE_NAME": "Абонент", "DEBUG": settings.DEBUG}
