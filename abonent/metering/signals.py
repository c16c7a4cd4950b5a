"""Metering's events for the apps above it (the API's webhooks). Metering imports none of them."""

from django.dispatch import Signal

# Sent with `readings=[Reading]` (ids set) and `organisation=<Organisation>` inside the transaction that saved them,
# by readings_submit, whatever the channel: a receiver's writes commit or roll back with the readings.
readings_submitted = Signal()
