"""Online orders at HQ: taken from channels over an authenticated, idempotent HTTP API, routed to
a store from HQ's stock view, sent to it as a signed instruction, followed from the store's facts,
and reported back to the channel by signed webhooks."""
