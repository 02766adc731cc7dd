"""The payment providers' simulator and its clock, as fixtures (tests/edge/payments/harness.py)."""

from tests.edge.payments.harness import clock, sim

__all__ = ["clock", "sim"]
