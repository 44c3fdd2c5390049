from django.urls import path

from moderation.api import views

urlpatterns: list = [
    # Staff API (contract §4)
    path("cases/", views.CaseList.as_view(), name="api-case-list"),
    path("cases/claim-next/", views.CaseClaimNext.as_view(), name="api-case-claim-next"),
    path("cases/<int:pk>/", views.CaseDetail.as_view(), name="api-case-detail"),
    path("cases/<int:pk>/claim/", views.CaseClaim.as_view(), name="api-case-claim"),
    path("cases/<int:pk>/release/", views.CaseRelease.as_view(), name="api-case-release"),
    path(
        "cases/<int:pk>/decisions/",
        views.CaseDecisionCreate.as_view(),
        name="api-case-decisions",
    ),
    path(
        "cases/<int:pk>/clarifications/",
        views.CaseClarificationAttach.as_view(),
        name="api-case-clarifications",
    ),
    path(
        "clarifications/",
        views.ClarificationListCreate.as_view(),
        name="api-clarification-list",
    ),
    path(
        "clarifications/<int:pk>/submit/",
        views.ClarificationSubmit.as_view(),
        name="api-clarification-submit",
    ),
    path(
        "clarifications/<int:pk>/publish/",
        views.ClarificationPublish.as_view(),
        name="api-clarification-publish",
    ),
    path(
        "clarifications/<int:pk>/retract/",
        views.ClarificationRetract.as_view(),
        name="api-clarification-retract",
    ),
    path("audit-events/", views.AuditEventList.as_view(), name="api-audit-events"),
]
