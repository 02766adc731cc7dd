"""Online orders picked up in store (线上下单 门店自提): reserved at the store when HQ's signed order
arrives, picked on a terminal, handed over at the till with the customer's pickup code; every step
a fact, so all of it works offline and reaches HQ exactly once."""
