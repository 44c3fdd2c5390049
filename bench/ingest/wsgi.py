"""gunicorn bench.ingest.wsgi:application — the real app plus the baseline view."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.ingest.settings")

application = get_wsgi_application()
