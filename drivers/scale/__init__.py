"""Weighing scales over serial: Mettler Toledo 8217 and Dialog 06 protocol cores, the `Scale`
device with `read_stable_weight`, and a pty simulator. Weights are integer grams, never floats.
"""
