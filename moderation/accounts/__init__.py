"""Signing in: the lockout page, the second factor (TOTP) and its enrolment, recovery codes."""
