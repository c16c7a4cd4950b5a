"""{% load jobs %}{% job_progress job %}: a job's progress box anywhere (the operator office, a period's page);
add <script src="{% static 'jobs/progress.js' %}" defer></script> to the page for it to update itself."""

from django import template

from ..context import job_context

register = template.Library()


@register.inclusion_tag("jobs/_progress.html", takes_context=True)
def job_progress(context, job):
    return {"j": job_context(job), "csrf_token": context.get("csrf_token")}
