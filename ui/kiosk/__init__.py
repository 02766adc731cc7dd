"""Self-checkout: the kiosk window (it reuses the till's sale screen), live weighing, the produce
picker and product photos."""
