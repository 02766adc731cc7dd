"""What every app window stands on: shared widgets (PIN pad, status strip, QR, the 18+ mark),
screen scaling and mode, locale setup, money text and error sentences."""
