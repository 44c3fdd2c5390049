from django.urls import path

from moderation import views

urlpatterns = [
    path("", views.home, name="home"),
    # Queues
    path("queues/", views.queues_overview, name="queues"),
    path("queues/new/", views.queue_create_page, name="queue_create"),
    path("queues/<slug:slug>/", views.queue_detail, name="queue_detail"),
    path("queues/<slug:slug>/edit/", views.queue_edit_page, name="queue_edit"),
    path("queues/<slug:slug>/count/", views.queue_count_fragment, name="queue_count"),
    path("queues/<slug:slug>/claim-next/", views.queue_claim_next, name="queue_claim_next"),
    # One case
    path("cases/<int:pk>/", views.case_page, name="case_detail"),
    path("cases/<int:pk>/claim/", views.case_claim_view, name="case_claim"),
    path("cases/<int:pk>/lease/", views.case_lease, name="case_lease"),
    path("cases/<int:pk>/release/", views.case_release_view, name="case_release"),
    path("cases/<int:pk>/skip/", views.case_skip_view, name="case_skip"),
    path("cases/<int:pk>/escalate/", views.case_escalate_view, name="case_escalate"),
    path("cases/<int:pk>/reassign/", views.case_reassign_view, name="case_reassign"),
    path("cases/<int:pk>/clarifications/", views.case_attach_view, name="case_attach"),
    path("cases/<int:pk>/decisions/", views.case_decide, name="case_decide"),
    # Held decisions
    path("approvals/", views.approvals, name="approvals"),
    path("decisions/<int:pk>/approve/", views.decision_approve_view, name="decision_approve"),
    path("decisions/<int:pk>/reject/", views.decision_reject_view, name="decision_reject"),
]
