"""Oversight: what supervisors read. The audit log (write, seal, verify), notifications and
the SLA watch."""
