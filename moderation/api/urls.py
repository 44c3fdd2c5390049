from django.urls import path

from moderation.api import audit, cases, clarifications, public

urlpatterns: list = [
    # Staff API (contract §4)
    path("cases/", cases.CaseList.as_view(), name="api-case-list"),
    path("cases/claim-next/", cases.CaseClaimNext.as_view(), name="api-case-claim-next"),
    path("cases/<int:pk>/", cases.CaseDetail.as_view(), name="api-case-detail"),
    path("cases/<int:pk>/claim/", cases.CaseClaim.as_view(), name="api-case-claim"),
    path("cases/<int:pk>/release/", cases.CaseRelease.as_view(), name="api-case-release"),
    path(
        "cases/<int:pk>/decisions/",
        cases.CaseDecisionCreate.as_view(),
        name="api-case-decisions",
    ),
    path(
        "cases/<int:pk>/clarifications/",
        cases.CaseClarificationAttach.as_view(),
        name="api-case-clarifications",
    ),
    path(
        "cases/<int:pk>/suggested-clarifications/",
        cases.CaseSuggestedClarifications.as_view(),
        name="api-case-suggested-clarifications",
    ),
    path(
        "clarifications/",
        clarifications.ClarificationListCreate.as_view(),
        name="api-clarification-list",
    ),
    path(
        "clarifications/<int:pk>/submit/",
        clarifications.ClarificationSubmit.as_view(),
        name="api-clarification-submit",
    ),
    path(
        "clarifications/<int:pk>/publish/",
        clarifications.ClarificationPublish.as_view(),
        name="api-clarification-publish",
    ),
    path(
        "clarifications/<int:pk>/retract/",
        clarifications.ClarificationRetract.as_view(),
        name="api-clarification-retract",
    ),
    path(
        "clarifications/<int:pk>/versions/",
        clarifications.ClarificationVersionList.as_view(),
        name="api-clarification-versions",
    ),
    path("audit-events/", audit.AuditEventList.as_view(), name="api-audit-events"),
    # Public (contract §5): no authentication
    path(
        "public/clarifications/",
        public.PublicClarificationList.as_view(),
        name="api-public-clarifications",
    ),
]
