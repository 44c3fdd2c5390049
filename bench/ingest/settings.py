"""The production settings, plus the bare baseline view's URL (bench only, never shipped)."""

from pemilu.settings import *  # noqa: F403

ROOT_URLCONF = "bench.ingest.urls"
