"""The events webhooks tell organisations about (filled in with the webhooks)."""
