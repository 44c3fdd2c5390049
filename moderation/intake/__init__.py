"""Intake: what platforms send us (contract §2). Webhook verification and parsing, the
raw-event store, and processing events into videos, flags and cases."""
