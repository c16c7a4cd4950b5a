"""Small queries every write path shares: whose meter it is, and which readings count as a meter's known values."""

from __future__ import annotations

from django.db.models import Q

from abonent.orgs.models import Organisation

from .models import Meter, Reading


def meter_organisation(meter: Meter) -> Organisation:
    return meter.premises.building.organisation if meter.premises_id else meter.building.organisation


def meters_of_organisation_q(organisation_id: int, prefix: str = "") -> Q:
    """Meters of one organisation, in premises or on houses."""
    return Q(**{f"{prefix}premises__building__organisation_id": organisation_id}) | Q(
        **{f"{prefix}building__organisation_id": organisation_id}
    )


def counted_readings():
    """Readings that count as a meter's known values: current, not rejected, not estimated."""
    return (
        Reading.objects.filter(is_current=True)
        .exclude(status=Reading.Status.REJECTED)
        .exclude(channel=Reading.Channel.ESTIMATE)
    )
