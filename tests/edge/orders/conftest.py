from tests.edge.store_ops.conftest import client, config, conn, till

__all__ = ["client", "config", "conn", "till"]
