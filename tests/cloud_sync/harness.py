"""Real infrastructure for the sync tests: a Mosquitto started on a free port, throwaway
PostgreSQL databases on the running server, a private PostgreSQL cluster that can be restarted,
and in-process agent/ingest runners."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

MOSQUITTO = "/usr/sbin/mosquitto"
BROKER_USER = "mosquitto"  # what Debian's mosquitto.service drops to, and our configs assume
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], Any], timeout: float, message: str,
               interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s: {message}")
        time.sleep(interval)


def _port_open(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


class Broker:
    """A real Mosquitto with persistence off, so SIGKILL really loses what it held. As root by
    default (it would drop to its own user and lose our temp files); with `user=BROKER_USER`, as
    the packaged broker runs, over files in a `broker_user_dir()`."""

    def __init__(self, workdir: Path, extra: str = "", port: int | None = None,
                 user: str = "root") -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.conf = workdir / f"mosquitto-{self.port}.conf"
        self.conf.write_text(
            f"user {user}\nlistener {self.port} 127.0.0.1\npersistence false\n"
            f"max_queued_messages 10000\nlog_dest stderr\nlog_type error\n"
            + (extra or "allow_anonymous true\n"))
        if user != "root":
            readable_by_broker(self.conf)  # a reload (SIGHUP) rereads it as that user
        self.proc: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: _port_open(self.port), 10, "mosquitto to listen")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(5)

    def restart(self) -> None:
        self.kill()
        self.start()

    def reload(self) -> None:
        """What `systemctl reload mosquitto` does: reread passwd, ACL and config."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGHUP)

    def stop(self) -> None:
        self.kill()


@contextlib.contextmanager
def broker_user_dir() -> Any:
    """A directory laid out like /etc/mosquitto/pos (root:mosquitto 0750), which the packaged
    broker user can reach (pytest's tmp_path is root's alone); removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix="pos-broker-"))
    try:
        shutil.chown(path, group=BROKER_USER)
        path.chmod(0o750)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def readable_by_broker(*paths: Path) -> None:
    """root:mosquitto 0640, as an operator installs the broker's certificate, key and configs."""
    for path in paths:
        shutil.chown(path, group=BROKER_USER)
        path.chmod(0o640)


def process_user(pid: int) -> str:
    """The effective user a process runs as (from /proc)."""
    import pwd

    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return pwd.getpwuid(int(line.split()[2])).pw_name
    raise AssertionError(f"no Uid line for process {pid}")


@contextlib.contextmanager
def throwaway_database() -> Any:
    """A fresh database on the shared server, dropped afterwards."""
    name = f"test_sync_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PgCluster:
    """A private PostgreSQL cluster (fsync off) that tests may restart brutally."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="pgsync-"))
        self.port = free_port()
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self._pg("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 "--no-sync")
        with (self.data / "postgresql.conf").open("a") as conf:
            # fsync off is safe here (the machine does not crash, only PostgreSQL does); an
            # asynchronous commit is not: a crash would lose transactions HQ already acked.
            conf.write(f"port = {self.port}\nlisten_addresses = '127.0.0.1'\nfsync = off\n"
                       f"full_page_writes = off\n"
                       f"unix_socket_directories = '{self.dir}'\nmax_connections = 100\n")
        self.start()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg(self, tool: str, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / tool), *args],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       cwd=self.dir)

    def start(self) -> None:
        self._pg("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "log"), "-w", "start")

    def restart(self) -> None:
        """Immediate shutdown (like a crash: open transactions are lost) and start again."""
        self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        self.start()

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._pg("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.dir, ignore_errors=True)


class Running:
    """Something with `run(stop)` running on a daemon thread until `stop()`."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=target.run, args=(self.stop_event,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(10)


def python_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return env


def agent_config(path: Path, store: str, terminal: str, port: int, **sync: Any) -> Path:
    lines = ["[store]", f'store_id = "{store}"', f'terminal_id = "{terminal}"', "", "[sync]",
             'host = "127.0.0.1"', f"port = {port}"]
    if not sync.get("tls"):
        sync = {"insecure": True, **sync}  # the tests' local brokers speak plaintext
    for key, value in sync.items():
        if isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        else:
            lines.append(f"{key} = {value}")
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)
    return path


def make_tls(workdir: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1/localhost: (ca, cert, key)."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pos test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(hours=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = workdir / "ca.crt", workdir / "server.crt", workdir / "server.key"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()))
    return paths


def password_file(workdir: Path, users: dict[str, str], name: str = "passwd") -> Path:
    path = workdir / name
    path.write_text("".join(f"{u}:{p}\n" for u, p in users.items()))
    subprocess.run(["/usr/bin/mosquitto_passwd", "-U", str(path)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return path


class SecureSite:
    """A CA, the packaged ACL and per-terminal credentials made by `pos hq enroll`'s code, in
    `workdir`: what a real site's broker is configured with."""

    def __init__(self, workdir: Path, terminals: list[tuple[str, str]] | list[tuple[str, str | None]]
                 ) -> None:
        from hq.identity import enroll

        self.dir = workdir
        self.ca, self.cert, self.key = make_tls(workdir)
        self.acl = workdir / "acl"
        shutil.copy(ROOT / "packaging" / "mosquitto" / "acl", self.acl)
        self.passwords = {"hq-ingest": "pw-hq", "hq-publish": "pw-publish"}
        # HQ services' own file, the only one HQ's local listener (8884) knows; the shared one
        # also holds them for the single-listener test brokers.
        self.services_passwd = password_file(workdir, self.passwords, "services.passwd")
        self.passwd = password_file(workdir, self.passwords)
        self.secrets = workdir / "secrets"
        for store, terminal in terminals:
            secret = enroll(store, terminal, self.secrets, self.passwd, self.acl)
            user = secret.name.removesuffix(".password")
            self.passwords[user] = secret.read_text().strip()
            if terminal:
                self.passwords[f"{user}-lookup"] = self.passwords[user]

    def for_broker_user(self) -> SecureSite:
        """The files the broker reads made readable by its packaged user, as an operator sets them
        up (passwd and acl are already so: `pos hq enroll` writes them that way); the secrets
        directory stays root's alone."""
        readable_by_broker(self.ca, self.cert, self.key, self.services_passwd, self.passwd,
                           self.acl)
        return self

    def broker_extra(self, pin_client_ids: bool = True, tls: bool = True) -> str:
        return ((f"cafile {self.ca}\ncertfile {self.cert}\nkeyfile {self.key}\n" if tls else "")
                + f"allow_anonymous false\npassword_file {self.passwd}\nacl_file {self.acl}\n"
                + ("use_username_as_clientid true\n" if pin_client_ids else ""))

    def proxy_tls(self) -> tuple[Any, Any]:
        """TLS contexts for a fault proxy in the middle: it shows the server certificate to the
        client and checks the broker's against the CA."""
        import ssl

        server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server.load_cert_chain(self.cert, self.key)
        client = ssl.create_default_context(cafile=str(self.ca))
        return server, client

    def settings(self, port: int, user: str, password: str | None = None) -> Any:
        from cloud_sync.settings import BrokerSettings

        return BrokerSettings(port=port, tls=True, ca_file=str(self.ca), username=user,
                              password=password or self.passwords[user], keepalive=2)
