"""Barcode scanners: a byte-level framing core, a keyboard-wedge keymap core, serial and evdev
transports, and a pty simulator. Import the pieces from their modules.
"""
