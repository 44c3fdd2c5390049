"""A stand-in for a platform's callback endpoint, for ``make run`` only (DEBUG).

The demo platform's callback URL points here, so a decision recorded in the demo travels the
whole way: outbox row, Celery, a signed POST, a signature check on arrival. Production has no
such route (pemilu/urls.py mounts it only when DEBUG is on).
"""

import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from moderation.models import Platform

logger = logging.getLogger("saring.dev_sink")


@csrf_exempt
@require_POST
def platform_sink(request: HttpRequest, slug: str) -> HttpResponse:
    platform = get_object_or_404(Platform, slug=slug)
    try:
        payload = Webhook(platform.callback_secret).verify(request.body, dict(request.headers))
    except WebhookVerificationError as exc:
        logger.warning("dev platform sink %s: signature refused (%s)", slug, exc)
        return JsonResponse({"error": "invalid signature"}, status=401)
    logger.info(
        "dev platform sink %s received %s %s",
        slug,
        payload.get("type") if isinstance(payload, dict) else "?",
        request.headers.get("webhook-id"),
    )
    return HttpResponse(status=204)
