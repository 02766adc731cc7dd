"""The `Scale` device: a serial link, one protocol core, and `read_stable_weight`, the only way a
sale gets a weight. It asks, waits for the reply, and keeps asking while the load moves; it
returns integer grams only for a weight the scale declared stable, and otherwise raises.

A Dialog 06 scale that asks for the checksum handshake (record 11) gets record 10 computed with
`dialog06_key`, then the weighing starts again; without a key, or when the scale refuses the
checksum, `read_stable_weight` raises at once, because asking again cannot help.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from drivers.device import (
    Device,
    DeviceError,
    DeviceEvent,
    DeviceState,
    ErrorEvent,
    Health,
    SerialPort,
    SerialSettings,
    open_serial,
)
from drivers.scale import dialog06, toledo8217
from drivers.scale.events import (
    MotionEvent,
    OverCapacityEvent,
    StableWeightEvent,
    UnderZeroEvent,
    ZeroEvent,
)

PROTOCOLS = ("toledo8217", "dialog06")
# Line settings a protocol's scales ship with (baudrate, data bits, parity, stop bits), used when
# the configuration leaves them out. Dialog scales talk 9600 7O1 (Coop IT Easy's Dialog06Protocol:
# SEVENBITS, PARITY_ODD, STOPBITS_ONE); the Toledo 8217 default is the generic 9600 8N1.
SERIAL_DEFAULTS: dict[str, tuple[int, int, str, int]] = {
    "dialog06": (9600, 7, "O", 1),
    "toledo8217": (9600, 8, "N", 1),
}
REPLY_TIMEOUT = 0.5
_RETRY_PAUSE = 0.05
# The codes `read_stable_weight` raises with when time runs out, by the last condition seen.
_CONDITION_CODES: dict[type[DeviceEvent], str] = {
    MotionEvent: "motion",
    UnderZeroEvent: "under_zero",
    OverCapacityEvent: "over_capacity",
}


@dataclass
class Scale(Device):
    """Request/response on the caller's thread, serialised by a lock.

    Every reply is also emitted to listeners, so a status bar can show motion or overload.
    """

    settings: SerialSettings = field(default_factory=lambda: SerialSettings(port=""))
    protocol: str = "toledo8217"
    reply_timeout: float = REPLY_TIMEOUT
    dialog06_key: int | None = field(default=None, repr=False)
    _port: SerialPort | None = field(default=None, repr=False)
    _io_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise DeviceError("bad_config", f"{self.name}: unknown scale protocol {self.protocol}")

    def _open(self) -> None:
        self._port = open_serial(self.settings, timeout=0.02)

    def _close(self) -> None:
        if self._port is not None:
            self._port.close()
        self._port = None

    def health(self) -> Health:
        if self._port is None:
            return Health(False, "closed", f"{self.settings.port} is not open")
        request = dialog06.REQUEST_STATUS if self.protocol == "dialog06" else toledo8217.REQUEST_WEIGHT
        event = self._exchange(request)
        if event is None:
            return Health(False, "no_answer", f"no reply on {self.settings.port}")
        if isinstance(event, ErrorEvent) and event.code in ("garbage", "partial_read"):
            return Health(False, "garbled", event.message)
        detail = f"{self.protocol} on {self.settings.port}"
        condition = _CONDITION_CODES.get(type(event))
        if condition is not None:  # a scale that says "in motion" answers well: it is online
            detail += f" ({condition.replace('_', ' ')})"
        return Health(True, "online", detail)

    def read_stable_weight(self, timeout: float, unit_price: int = 0) -> StableWeightEvent:
        """A stable weight within `timeout` seconds, or `DeviceError` saying why there is none.

        Error codes: motion, under_zero, over_capacity, no_answer, or the scale's own error code.
        A Dialog 06 scale is first given `unit_price` (minor units per kg) so it can price the
        weight; the answer's `amount` is then the scale's legal-for-trade price.
        """
        self._require_enabled()
        deadline = time.monotonic() + timeout
        last: DeviceEvent | None = None
        while True:
            event = self._weigh_once(unit_price)
            if isinstance(event, StableWeightEvent):
                return event
            if event is not None:
                last = event
            if isinstance(event, ErrorEvent) and event.code not in ("garbage", "partial_read"):
                raise DeviceError(event.code, f"{self.name}: {event.message}")
            if time.monotonic() + _RETRY_PAUSE >= deadline:
                raise self._no_weight(last)
            time.sleep(_RETRY_PAUSE)

    def read_weight(self, unit_price: int = 0) -> DeviceEvent | None:
        """One reading, whatever it is: a stable weight, a condition (motion, zero, under zero,
        over capacity), the scale's error, or None when it did not answer. For a live display
        that keeps asking; only a `StableWeightEvent` may go into a sale."""
        self._require_enabled()
        return self._weigh_once(unit_price)

    def zero(self) -> DeviceEvent | None:
        """Ask a Toledo scale to zero itself; its status reply says whether it did."""
        return self._command(toledo8217.REQUEST_ZERO)

    def tare(self) -> DeviceEvent | None:
        return self._command(toledo8217.REQUEST_TARE)

    def _command(self, request: bytes) -> DeviceEvent | None:
        self._require_enabled()
        if self.protocol != "toledo8217":
            raise DeviceError("unsupported", f"{self.name}: {self.protocol} has no such command")
        return self._exchange(request)

    def _weigh_once(self, unit_price: int) -> DeviceEvent | None:
        if self.protocol == "toledo8217":
            return self._exchange(toledo8217.REQUEST_WEIGHT)
        answer = self._exchange(dialog06.set_unit_price(unit_price))
        if isinstance(answer, dialog06.ChecksumRequest):
            self._checksum_handshake(answer.z)
            answer = self._exchange(dialog06.set_unit_price(unit_price))
        if not isinstance(answer, dialog06.Ack):
            return answer if not isinstance(answer, dialog06.Nak) else self._dialog06_status()
        answer = self._exchange(dialog06.REQUEST_WEIGHT)
        if isinstance(answer, dialog06.Nak):
            return self._dialog06_status()
        return answer

    def _dialog06_status(self) -> DeviceEvent | None:
        return self._exchange(dialog06.REQUEST_STATUS)

    def _checksum_handshake(self, z: int) -> None:
        """Record 10 for the scale's record 11, then EOT ENQ for its verdict (record 11 again)."""
        if self.dialog06_key is None:
            raise DeviceError(
                "dialog06_key_missing",
                f"{self.name}: the scale asks for the Dialog 06 checksum (record 11); configure"
                " dialog06_key_file with the key polynomial from Mettler Toledo",
            )
        checksum = random.getrandbits(16)
        correction = dialog06.correction_value(checksum, self.dialog06_key)
        answer = self._exchange(dialog06.checksum_record(checksum, correction, z))
        if isinstance(answer, dialog06.Ack):
            answer = self._exchange(dialog06.REQUEST_WEIGHT)
            if isinstance(answer, dialog06.ChecksumVerdict) and answer.accepted:
                return
        if isinstance(answer, dialog06.Nak):
            answer = self._dialog06_status()
        if answer is None:
            raise DeviceError("no_answer", f"{self.name}: no answer during the checksum handshake")
        if isinstance(answer, ErrorEvent):
            refused = answer.message
        elif isinstance(answer, dialog06.ChecksumVerdict):
            refused = "record 11: checksum not valid"
        else:
            refused = f"unexpected {type(answer).__name__}"
        raise DeviceError(
            "dialog06_checksum_refused",
            f"{self.name}: the scale refused the checksum ({refused}); check dialog06_key_file",
        )

    def _exchange(self, request: bytes) -> DeviceEvent | None:
        """Write one request and return the first event its reply yields (None: no reply)."""
        port = self._port
        if port is None:
            raise DeviceError("not_open", f"{self.name}: open the scale first")
        core: toledo8217.Toledo8217Protocol | dialog06.Dialog06Protocol
        if self.protocol == "toledo8217":
            core = toledo8217.Toledo8217Protocol(self.name)
        else:
            core = dialog06.Dialog06Protocol(self.name)
        with self._io_lock:
            if port.in_waiting:  # a late reply to an earlier request must not answer this one
                port.read(port.in_waiting)
            port.write(request)
            deadline = time.monotonic() + self.reply_timeout
            while time.monotonic() < deadline:
                data = port.read(max(1, port.in_waiting))
                if data:
                    core.receive_data(data)
                    event = core.next_event()
                    if event is not None:
                        self.emit(event)
                        return event
            core.timeout()
            event = core.next_event()
        if event is not None:
            self.emit(event)
        return event

    def _no_weight(self, last: DeviceEvent | None) -> DeviceError:
        if last is None:
            return DeviceError("no_answer", f"{self.name}: the scale did not answer")
        if isinstance(last, ZeroEvent):
            return DeviceError("zero", f"{self.name}: nothing on the scale")
        if isinstance(last, ErrorEvent):
            return DeviceError(last.code, f"{self.name}: {last.message}")
        code = _CONDITION_CODES.get(type(last), "no_weight")
        return DeviceError(code, f"{self.name}: no stable weight ({code.replace('_', ' ')})")

    def _require_enabled(self) -> None:
        if self.state is not DeviceState.ENABLED:
            raise DeviceError("not_enabled", f"{self.name}: enable the scale before weighing")
