"""Outbound: everything we send. The one outbox (callbacks to platforms, e-mails to staff),
its retry schedule and sweep, and the operators' page for callbacks."""
