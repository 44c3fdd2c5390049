"""Settings for Celery worker subprocesses in the fault tests: the project's settings, with
the row lock of a claimed callback shortened so that a killed worker's delivery is picked up
again within seconds rather than 90 s (CALLBACK_LOCK_SECONDS in the environment)."""

import os

from pemilu.settings import *  # noqa: F403
from pemilu.settings import SARING

SARING = {
    **SARING,
    "CALLBACK_LOCK_SECONDS": int(os.environ.get("CALLBACK_LOCK_SECONDS", "90")),
    "CALLBACK_TIMEOUT_SECONDS": int(os.environ.get("CALLBACK_TIMEOUT_SECONDS", "15")),
}
