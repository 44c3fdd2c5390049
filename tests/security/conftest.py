"""The webhook's per-process memos start empty in every test, as in tests/intake."""

from tests.intake.conftest import _fresh_ingest_policy, _processing_request_unthrottled

__all__ = ["_fresh_ingest_policy", "_processing_request_unthrottled"]
