from tests.cloud_sync.conftest import broker, pg_url

__all__ = ["broker", "pg_url"]
