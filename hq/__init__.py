"""HQ: ingest of store events, signed downlink publishing, and the views over both."""
