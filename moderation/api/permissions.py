"""DRF permission classes. They only ask moderation.permissions; selectors and services
enforce the same rules again on every read and write."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from moderation.permissions import can_read_audit_log, is_staff_member


class IsSaringStaff(BasePermission):
    """Signed in (token or session) with a Saring role. Anyone else: 401 or 403."""

    message = "Your account has no role in Saring."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and is_staff_member(user))  # type: ignore[arg-type]


class CanReadAuditLog(IsSaringStaff):
    message = "Only supervisors read the audit log."

    def has_permission(self, request: Request, view: Any) -> bool:
        return super().has_permission(request, view) and can_read_audit_log(request.user)  # type: ignore[arg-type]
