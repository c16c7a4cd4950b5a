"""Who sees which jobs: an operator those of their organisation, a superuser all. Another organisation's job is
answered 404, as one that does not exist."""

from django.http import Http404

from abonent.orgs.access import operator_organisation_filter, works_in_back_office

from .models import Job


def jobs_for(user):
    if not works_in_back_office(user):
        return Job.objects.none()
    return Job.objects.filter(**operator_organisation_filter(user)).select_related("organisation", "started_by")


def job_for(user, job_id) -> Job:
    try:
        return jobs_for(user).get(pk=int(job_id))
    except (Job.DoesNotExist, ValueError, TypeError):
        raise Http404("Задание не найдено") from None
