"""/healthz is liveness (the process answers). /readyz checks PostgreSQL and Redis, and reports
the periodic jobs (the beat schedule): the last run of each and whether one is overdue.

/readyz answers 503 only when this process cannot serve: the database or Redis is down. An
overdue or failing periodic job does not take the web server out of rotation (it can still
serve every page); it turns the status to ``degraded`` and names the jobs under
``checks.periodic_jobs``, with each job's details under ``periodic_jobs``.
"""

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from moderation.oversight.periodic_jobs import (
    PeriodicJobsOverview,
    periodic_job_as_json,
    periodic_jobs_overview,
)


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _periodic_jobs_check(overview: PeriodicJobsOverview) -> str:
    if overview.error:
        return f"unknown: {overview.error}"
    problems = []
    if overview.overdue:
        problems.append("overdue: " + ", ".join(job.name for job in overview.overdue))
    if overview.failing:
        problems.append("last run failed: " + ", ".join(job.name for job in overview.failing))
    return "; ".join(problems) or "ok"


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except DatabaseError as exc:
        checks["database"] = f"unavailable: {type(exc).__name__}"
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
        checks["redis"] = "ok"
    except (redis.RedisError, OSError) as exc:
        checks["redis"] = f"unavailable: {type(exc).__name__}"
    ready = checks["database"] == "ok" and checks["redis"] == "ok"

    overview = (
        periodic_jobs_overview()
        if checks["redis"] == "ok"
        else PeriodicJobsOverview(jobs=[], beat_started_at=None, beat_host="", error="Redis down")
    )
    checks["periodic_jobs"] = _periodic_jobs_check(overview)
    if not ready:
        status = "unavailable"
    elif checks["periodic_jobs"] != "ok":
        status = "degraded"
    else:
        status = "ok"
    return JsonResponse(
        {
            "status": status,
            "checks": checks,
            "beat_started_at": (
                overview.beat_started_at.isoformat() if overview.beat_started_at else None
            ),
            "periodic_jobs": [periodic_job_as_json(job) for job in overview.jobs],
        },
        status=200 if ready else 503,
    )
