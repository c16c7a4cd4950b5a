"""URLconf for bench/pages.py: the project's URLs plus a trivial view, the baseline measured in the same run."""

from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench-trivial/", trivial), path("", include("abonent.urls"))]
