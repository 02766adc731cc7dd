"""Secrets and transport settings: enroll writes secrets 0600 and hashes the broker accepts,
configs speak TLS unless `insecure` is written, secrets never come from a readable file or the
command line, `pos init` creates private files, and HQ keeps no member's full phone or name."""

from __future__ import annotations

import grp
import stat
from pathlib import Path

import pytest

from cli.main import main as pos
from cloud_sync.agent import batch_bytes
from cloud_sync.settings import SettingsError, load_agent_settings
from edge.ledger.outbox import canonical_json
from hq.identity import EnrollError, enroll, revoke
from hq.validation import validate_batch


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_enroll_writes_a_private_secret_and_pins_the_terminal_to_its_topics(
        tmp_path: Path) -> None:
    passwd, acl = tmp_path / "passwd", tmp_path / "acl"
    secret = enroll("S001", "T01", tmp_path / "secrets", passwd, acl)
    # The secret is root's alone; the broker's files are readable by the broker's user.
    assert mode(secret) == 0o600 and mode(passwd) == mode(acl) == 0o640
    assert passwd.stat().st_gid == acl.stat().st_gid == grp.getgrnam("mosquitto").gr_gid
    assert secret.read_text().strip() not in passwd.read_text()  # only hashes
    users = [line.split(":")[0] for line in passwd.read_text().splitlines()]
    assert users == ["S001-T01", "S001-T01-lookup"]
    assert "user S001-T01\ntopic write pos/v1/S001/T01/up/events\n" in acl.read_text()
    assert "#" not in acl.read_text().replace("# S001-T01 ", "").replace("# S001-T01-lookup ", "")
    with pytest.raises(EnrollError):
        enroll("S001", "T01", tmp_path / "secrets", passwd, acl)  # never overwritten silently
    with pytest.raises(EnrollError):
        enroll("S001", "T+", tmp_path / "secrets", passwd, acl)  # no wildcard in a username
    old = secret.read_text()
    assert enroll("S001", "T01", tmp_path / "secrets", passwd, acl, rotate=True) == secret
    assert secret.read_text() != old
    assert acl.read_text().count("user S001-T01\n") == 1
    revoke("S001", "T01", tmp_path / "secrets", passwd, acl)
    assert passwd.read_text() == "" and "S001-T01" not in acl.read_text()
    assert not secret.exists()


def _config(tmp_path: Path, sync: str, file_mode: int = 0o600) -> Path:
    path = tmp_path / "store.toml"
    path.write_text(f'[store]\nstore_id = "S001"\nterminal_id = "T01"\n\n[sync]\n{sync}\n')
    path.chmod(file_mode)
    return path


def test_a_config_speaks_tls_unless_insecure_is_written(tmp_path: Path) -> None:
    assert load_agent_settings(_config(tmp_path, 'host = "hq"')).broker.tls is True
    with pytest.raises(SettingsError, match="plaintext"):
        load_agent_settings(_config(tmp_path, "tls = false"))
    insecure = load_agent_settings(_config(tmp_path, "insecure = true")).broker
    assert (insecure.tls, insecure.insecure) == (False, True)


def test_secrets_come_from_private_files_or_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "pw"
    secret.write_text("s3cret\n")
    secret.chmod(0o644)
    with pytest.raises(SettingsError, match="readable by others"):
        load_agent_settings(_config(tmp_path, f'password_file = "{secret}"'))
    secret.chmod(0o600)
    assert load_agent_settings(_config(tmp_path, f'password_file = "{secret}"')
                               ).broker.password == "s3cret"
    with pytest.raises(SettingsError, match="others can read it"):
        load_agent_settings(_config(tmp_path, 'password = "inline"', 0o644))
    monkeypatch.setenv("POS_SYNC_PASSWORD", "from-env")
    assert load_agent_settings(_config(tmp_path, "")).broker.password == "from-env"


def test_pos_hq_takes_no_password_on_its_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        pos(["hq", "ingest", "--db", "x", "--password", "secret"])
    assert "unrecognized arguments" in capsys.readouterr().err


def test_pos_init_creates_its_config_and_database_private(tmp_path: Path) -> None:
    db, config = tmp_path / "store.db", tmp_path / "store.toml"
    assert pos(["init", "--db", str(db), "--config", str(config)]) == 0
    assert mode(db) == 0o600 and mode(config) == 0o600
    for extra in (tmp_path / "store.db-wal", tmp_path / "store.db-shm"):
        if extra.exists():
            assert mode(extra) == 0o600


def test_hq_keeps_a_members_phone_masked_and_no_name() -> None:
    body = {"member_id": "m1", "card_no": "C1234", "phone": "13812345678", "qr_token": None,
            "name": "张三", "tier": "silver"}
    raw = batch_bytes("S001", "T01", 0, [(1, "e1", "member.registered", canonical_json(body),
                                          "2026-11-22T02:00:00.000+00:00")])
    [accepted], _, _ = validate_batch("S001", "T01", raw)
    assert b"13812345678" not in accepted.payload and "张三".encode() not in accepted.payload
    assert b"138****5678" in accepted.payload
    bad = dict(body, tier="")
    raw = batch_bytes("S001", "T01", 0, [(2, "e2", "member.registered", canonical_json(bad),
                                          "2026-11-22T02:00:00.000+00:00")])
    _, [refused], _ = validate_batch("S001", "T01", raw)
    assert b"13812345678" not in refused.payload
