"""Billing's events for the apps above it. Billing imports none of them: receipts and payments connect their
receivers in their `AppConfig.ready()`, and the receivers only dispatch side effects (mailings)."""

from django.dispatch import Signal

# Sent with `period=<BillingPeriod>` once the transaction that published the period has committed (never for a
# rerun of the publish step that found the period published already).
period_published = Signal()
