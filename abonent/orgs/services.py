from django.contrib.auth.models import Group, Permission

OPERATORS_GROUP = "Операторы"
# The register an operator keeps: app label → models, all four permissions each.
OPERATOR_MODELS = {
    "orgs": ["organisation", "supplier"],
    "housing": ["building", "premises", "personalaccount"],
    "billing": ["service", "tariff", "norm", "billingperiod", "accountserviceoff", "calendarday"],
    "metering": ["meter", "reading"],
}


def operators_group() -> Group:
    """The group every operator belongs to; its permissions are kept in step with OPERATOR_MODELS."""
    group, _ = Group.objects.get_or_create(name=OPERATORS_GROUP)
    wanted = Permission.objects.filter(
        content_type__app_label__in=OPERATOR_MODELS.keys(),
    ).select_related("content_type")
    wanted = [p for p in wanted if p.content_type.model in OPERATOR_MODELS[p.content_type.app_label]]
    # An operator edits its organisation's card but never creates or deletes organisations.
    wanted = [
        p
        for p in wanted
        if not (p.content_type.model == "organisation" and p.codename.split("_")[0] in ("add", "delete"))
    ]
    group.permissions.set(wanted)
    return group
