"""What the readings page says a meter's resource costs: the service's name and its tariff on a day.

Services and tariffs are billing's, and billing builds on metering (it bills the readings), so metering cannot ask
billing directly: billing registers its answer here from its AppConfig.ready() (billing.selectors.service_prices).
Until something is registered every resource is unpriced, and the page names the meter by its resource.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from abonent.orgs.models import Organisation

# (organisation, resources, day) → {resource: (the service's name, its tariff on `day` or None)}
PriceSource = Callable[[Organisation, set[str], dt.date], dict[str, tuple[str, Decimal | None]]]

_source: PriceSource | None = None


def register_price_source(source: PriceSource) -> None:
    global _source
    _source = source


def resource_prices(
    organisation: Organisation, resources: set[str], day: dt.date
) -> dict[str, tuple[str, Decimal | None]]:
    return _source(organisation, resources, day) if _source is not None else {}
