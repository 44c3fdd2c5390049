"""The bare baseline of the ingest benchmark: parse the JSON body, one INSERT, 202.

Same process, same middleware, same database and connection settings as the real endpoint,
so the ratio measures what verification, validation, deduplication, locking and case
bookkeeping cost on top of "receive a JSON body and write it down"."""

import json

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

TABLE = "bench_baseline_event"
CREATE_TABLE = f"""
    CREATE TABLE IF NOT EXISTS {TABLE} (
        id bigserial PRIMARY KEY,
        webhook_id varchar(256) NOT NULL,
        event_type varchar(100) NOT NULL,
        body text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
    )
"""


@csrf_exempt
def baseline_receive(request: HttpRequest) -> JsonResponse:
    body = request.read()
    event = json.loads(body)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (webhook_id, event_type, body) VALUES (%s, %s, %s)",  # noqa: S608
            [request.headers.get("webhook-id", ""), event.get("type", ""), body.decode()],
        )
    return JsonResponse({"status": "accepted"}, status=202)
