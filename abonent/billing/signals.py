"""Billing's events for the apps above it. Billing imports none of them: receipts and payments connect their
receivers in their `AppConfig.ready()`, and the receivers only dispatch side effects (mailings)."""

from django.dispatch import Signal

# Sent with `period=<BillingPeriod>` once the transaction that published the period has committed (never for a
# rerun of the publish step that found the period published already).
period_published = Signal()

# Sent with `period=<BillingPeriod>` inside the publishing transaction, the period already marked published: what a
# receiver writes (the issued receipts) commits or rolls back with the publish, and a receiver's error fails it.
period_publishing = Signal()

# Sent with `period=<BillingPeriod>` once a rerun of the publish step that found the period published already has
# committed: what the first run's receivers of period_published may have left undone by a crash after its commit
# (the issued receipts' documents) is completed here. A receiver's error fails the rerun.
period_publish_repeated = Signal()
