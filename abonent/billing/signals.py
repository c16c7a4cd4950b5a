"""Billing's events for the apps above it. Billing imports none of them: receipts and payments connect their
receivers in their `AppConfig.ready()`, and the receivers only dispatch side effects (mailings)."""

from django.dispatch import Signal

# Sent with `period=<BillingPeriod>` once the transaction that published the period has committed (never for a
# rerun of the publish step that found the period published already).
period_published = Signal()

# Sent with `period=<BillingPeriod>` inside the publishing transaction, the period already marked published: what a
# receiver writes (the issued receipts) commits or rolls back with the publish, and a receiver's error fails it.
period_publishing = Signal()
