"""HQ's Ed25519 signing of downlink documents and the store's check against its pinned keys.

Rules: a store applies only bytes whose signature verifies against the pinned key named by the
document's `key_id`; the document is decoded after, never before, the signature check. The set
of pinned keys grows only by a rollover document signed by a key already pinned.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from cloud_sync.protocol import SCHEMA_VERSION, Signed


class SignatureError(Exception):
    """The document is unsigned, signed by another key, or altered after signing."""


def generate_keypair(private_path: Path, public_path: Path) -> str:
    """Write a new HQ key pair (PEM); the public file is what stores pin. Returns its key id."""
    key = Ed25519PrivateKey.generate()
    private_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    private_path.chmod(0o600)
    public_path.write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return key_id(key.public_key())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SignatureError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    if not isinstance(key, Ed25519PublicKey):
        raise SignatureError(f"{path} is not an Ed25519 public key")
    return key


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


Keyring = dict[str, Ed25519PublicKey]


def load_keyring(path: Path) -> Keyring:
    """Every public key pinned at `path`: the PEM blocks of the file itself and of the files in
    `path.d/` (where rollovers add the next keys), by key id."""
    keys: Keyring = {}
    files = [path, *sorted(rollover_dir(path).glob("*.pem"))]
    for file in files:
        if not file.exists():
            continue
        for block in file.read_bytes().split(b"-----END PUBLIC KEY-----"):
            if b"-----BEGIN PUBLIC KEY-----" not in block:
                continue
            key = serialization.load_pem_public_key(block + b"-----END PUBLIC KEY-----\n")
            if not isinstance(key, Ed25519PublicKey):
                raise SignatureError(f"{file} holds a key that is not Ed25519")
            keys[key_id(key)] = key
    if not keys:
        raise SignatureError(f"{path}: no public key pinned")
    return keys


def rollover_dir(path: Path) -> Path:
    return path.with_name(path.name + ".d")


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.PEM,
                               serialization.PublicFormat.SubjectPublicKeyInfo)


def verify_pinned(keys: Keyring | Ed25519PublicKey, signed: Signed) -> bytes:
    """The document bytes, if signed by the pinned key its `key_id` names; else SignatureError."""
    if not isinstance(keys, dict):
        keys = {key_id(keys): keys}
    key = keys.get(signed.key_id)
    if key is None:
        raise SignatureError(f"signed with key {signed.key_id[:16]!r}, which is not pinned here"
                             " (a rollover must announce it first)")
    return verify(key, signed)


def sign(private: Ed25519PrivateKey, doc: bytes) -> Signed:
    return Signed(v=SCHEMA_VERSION, key_id=key_id(private.public_key()), doc=doc,
                  sig=private.sign(doc))


def verify(public: Ed25519PublicKey, signed: Signed) -> bytes:
    """The document bytes, or SignatureError."""
    if not signed.sig:
        raise SignatureError("document is not signed")
    try:
        public.verify(signed.sig, signed.doc)
    except InvalidSignature:
        raise SignatureError("bad signature: not from the pinned HQ key, or altered") from None
    return signed.doc
