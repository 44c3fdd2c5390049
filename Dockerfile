# syntax=docker/dockerfile:1
# One image for every Saring process. docker-compose.yml picks the process with `command:`:
# gunicorn (the default below), the Celery worker, Celery beat, or the one-shot migrate.

FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON=/usr/local/bin/python3 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH=/app/.venv/bin:$PATH

COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv

WORKDIR /app

# Dependencies first, in their own layer, so a code change does not reinstall them.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-install-project

COPY . .

# Static files are collected into the image (whitenoise serves them). The key exists only for
# this build step; the running containers get theirs from .env.
RUN SARING_ENV=production SECRET_KEY=collectstatic-only-this-is-not-a-secret \
    python manage.py collectstatic --noinput

# Run as an unprivileged user; it may write only to /app/var (scratch space; beat keeps its schedule in Redis).
RUN useradd --system --uid 10001 --no-create-home --home-dir /app saring \
    && mkdir -p /app/var \
    && chown saring:saring /app/var
USER saring

EXPOSE 8000
CMD ["gunicorn", "pemilu.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--limit-request-line", "8190", "--limit-request-field_size", "16380", "--access-logfile", "-"]
