"""Drive `pos till --headless` as a real child process over its stdin/stdout pipes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any


class HeadlessTill:
    def __init__(self, db: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "till", "--headless", "--db", str(db)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.last_line = b""

    def send_raw(self, data: bytes) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(data)
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        self.last_line = line
        assert line, f"the till died: {self.proc.stderr.read().decode() if self.proc.stderr else ''}"
        answer: dict[str, Any] = json.loads(line)
        return answer

    def send(self, request: dict[str, Any]) -> dict[str, Any]:
        return self.send_raw(json.dumps(request, ensure_ascii=False).encode() + b"\n")

    def close(self) -> int:
        assert self.proc.stdin
        self.proc.stdin.close()
        return self.proc.wait(timeout=10)
