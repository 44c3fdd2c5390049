import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pemilu.settings")
application = get_wsgi_application()

# Fail at start-up, not on the first request, when production has no SECRET_KEY.
from django.conf import settings  # noqa: E402

settings.SECRET_KEY  # noqa: B018
