"""HQ tests use the sync tests' real broker and throwaway PostgreSQL database, and the store
operations' seeded till (for a scripted day whose events go to HQ)."""

from tests.cloud_sync.conftest import broker, pg_url
from tests.edge.store_ops.conftest import card, client, config, conn, member_id, till

__all__ = ["broker", "card", "client", "config", "conn", "member_id", "pg_url", "till"]
