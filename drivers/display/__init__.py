"""The customer-facing pole display (2×20, Epson ESC/POS display commands): a command core,
the `CustomerDisplay` device, and a pty simulator that keeps the screen the tests read back.
"""
