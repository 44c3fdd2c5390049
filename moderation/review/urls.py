"""The moderators' and supervisors' workspace: queues, the case page, held decisions."""

from django.urls import path

from moderation.review.views import approvals, cases, preferences, queues, waves

urlpatterns = [
    path("", queues.home, name="home"),
    # Queues
    path("queues/", queues.queues_overview, name="queues"),
    path("queues/new/", queues.queue_create_page, name="queue_create"),
    path("queues/<slug:slug>/", queues.queue_detail, name="queue_detail"),
    path("queues/<slug:slug>/edit/", queues.queue_edit_page, name="queue_edit"),
    path("queues/<slug:slug>/count/", queues.queue_count_fragment, name="queue_count"),
    path("queues/<slug:slug>/claim-next/", queues.queue_claim_next, name="queue_claim_next"),
    # One case
    path("cases/<int:pk>/", cases.case_page, name="case_detail"),
    path("cases/<int:pk>/claim/", cases.case_claim_view, name="case_claim"),
    path("cases/<int:pk>/lease/", cases.case_lease, name="case_lease"),
    path("cases/<int:pk>/release/", cases.case_release_view, name="case_release"),
    path("cases/<int:pk>/skip/", cases.case_skip_view, name="case_skip"),
    path("cases/<int:pk>/escalate/", cases.case_escalate_view, name="case_escalate"),
    path("cases/<int:pk>/reassign/", cases.case_reassign_view, name="case_reassign"),
    path("cases/<int:pk>/clarifications/", cases.case_attach_view, name="case_attach"),
    path(
        "cases/<int:pk>/clarifications/search/",
        waves.case_clarification_search,
        name="case_clarification_search",
    ),
    path("cases/<int:pk>/decisions/", cases.case_decide, name="case_decide"),
    path("cases/<int:pk>/wave/", waves.case_wave_apply, name="case_wave_apply"),
    path("cases/<int:pk>/draft/", cases.case_draft_save, name="case_draft"),
    path("cases/<int:pk>/thumbnail/", cases.case_thumbnail, name="case_thumbnail"),
    path("preferences/", preferences.preferences_page, name="preferences"),
    # Held decisions
    path("approvals/", approvals.approvals, name="approvals"),
    path("decisions/<int:pk>/approve/", approvals.decision_approve_view, name="decision_approve"),
    path("decisions/<int:pk>/reject/", approvals.decision_reject_view, name="decision_reject"),
]
