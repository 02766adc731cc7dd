"""The store's hardware as the apps see it: devices opened from the store's config, their events
into the GUI thread, the card terminal, the customer display and the keyboard-wedge filter."""
