"""HQ tests use the sync tests' real broker and throwaway PostgreSQL database."""

from tests.cloud_sync.conftest import broker, pg_url

__all__ = ["broker", "pg_url"]
