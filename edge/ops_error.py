"""The one error type of store operations (members, stored value, returns, shifts, reports,
stock): a stable code and an English message. Raised before anything is written, so a refused
operation changes nothing.
"""

from __future__ import annotations


class OpsError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
