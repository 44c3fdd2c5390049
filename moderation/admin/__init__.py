"""Django admin for administrators, one module per domain. Secrets are masked; the audit log
and every row a service owns are read-only; admin actions and saves call services."""

from moderation.admin import cases, oversight, people, platforms, policy

__all__ = ["cases", "oversight", "people", "platforms", "policy"]
