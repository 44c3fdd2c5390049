from django.urls import path, re_path  # noqa: F401

from moderation.webhooks.views import webhook_receive

urlpatterns: list = []

# Platform webhooks (contract §2). With or without the trailing slash: a POST that was redirected
# to add the slash would lose its body.
urlpatterns += [
    re_path(r"^webhooks/(?P<slug>[^/]+)/?$", webhook_receive, name="webhook-receive"),
]
