from django.urls import path

from moderation import views
from moderation import views_notifications as notifications
from moderation import views_operations as operations

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

# The notification centre and the callback operators page (issue #5).
urlpatterns += [
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/bell/", notifications.notifications_bell, name="notifications_bell"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
    path(
        "notifications/preferences/",
        notifications.notification_preferences,
        name="notification_preferences",
    ),
    path("operations/callbacks/", operations.operations_callbacks, name="operations_callbacks"),
    path(
        "operations/callbacks/<slug:slug>/",
        operations.operations_platform,
        name="operations_platform",
    ),
    path(
        "operations/callbacks/<slug:slug>/resend/",
        operations.operations_resend,
        name="operations_resend",
    ),
    path(
        "operations/callbacks/<slug:slug>/enable/",
        operations.operations_callback_enable,
        name="operations_callback_enable",
    ),
    path(
        "operations/callbacks/<slug:slug>/disable/",
        operations.operations_callback_disable,
        name="operations_callback_disable",
    ),
]
