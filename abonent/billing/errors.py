"""The error billing's use cases raise when a step must not run now."""


class BillingError(Exception):
    """A step that must not run now; the message is for the operator, in Russian."""
