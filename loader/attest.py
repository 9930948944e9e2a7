"""Attestation: Ed25519 keys and signed manifests of artifact digests.

A manifest is JSON::

    {"version": 1, "signer": KEY_ID, "public_key": BASE64, "time": ISO-8601,
     "artifacts": [{"path": NAME, "sha256": HEX}, ...], "signature": BASE64}

The signature covers the canonical JSON (sorted keys, no spaces, UTF-8) of every field
except ``signature``.  A key id is the first 16 hex digits of the sha256 of the raw
32-byte public key.  Public keys load from PEM or from the raw key in base64.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

MANIFEST_VERSION = 1


class AttestationError(Exception):
    """A key or manifest that cannot be used; the message names the file and why."""


@dataclass(frozen=True)
class Manifest:
    path: str
    signer: str
    time: str
    artifacts: dict[str, str]          # sha256 hex -> artifact name


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(_raw(public)).hexdigest()[:16]


def sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def keygen(out: str) -> str:
    """A new key pair: private PEM (mode 0600) at ``out``, public PEM at ``out.pub``.
    Returns the key id."""
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    with open(out + ".pub", "wb") as f:
        f.write(private.public_key().public_bytes(serialization.Encoding.PEM,
                                                  serialization.PublicFormat.SubjectPublicKeyInfo))
    return key_id(private.public_key())


def load_private_key(path: str) -> Ed25519PrivateKey:
    try:
        with open(path, "rb") as f:
            key = serialization.load_pem_private_key(f.read(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise AttestationError(f"{path}: not a usable private key: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AttestationError(f"{path}: not an Ed25519 private key")
    return key


def load_public_key(path: str) -> Ed25519PublicKey:
    """A public key as PEM, or as the raw 32 bytes in base64."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise AttestationError(f"{path}: {exc.strerror}") from None
    try:
        if data.lstrip().startswith(b"-----"):
            key = serialization.load_pem_public_key(data)
        else:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(data.strip(), validate=True))
    except ValueError as exc:
        raise AttestationError(f"{path}: not a usable public key: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise AttestationError(f"{path}: not an Ed25519 public key")
    return key


def _canonical(doc: dict) -> bytes:
    body = {k: v for k, v in doc.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(private: Ed25519PrivateKey, files: list[str]) -> dict:
    """A signed manifest of ``files`` (named by their basename)."""
    public = private.public_key()
    doc = {
        "version": MANIFEST_VERSION, "signer": key_id(public),
        "public_key": base64.b64encode(_raw(public)).decode(),
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "artifacts": [{"path": os.path.basename(f), "sha256": sha256_file(f)} for f in files],
    }
    doc["signature"] = base64.b64encode(private.sign(_canonical(doc))).decode()
    return doc


def load_manifest(path: str, trusted: list[Ed25519PublicKey] | None = None) -> Manifest:
    """Read and verify a manifest: well formed, the signature checks out with the key it
    names, and (given ``trusted``) that key is one of them."""
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except OSError as exc:
        raise AttestationError(f"{path}: {exc.strerror}") from None
    except ValueError as exc:
        raise AttestationError(f"{path}: not JSON: {exc}") from None
    try:
        if doc["version"] != MANIFEST_VERSION:
            raise AttestationError(f"{path}: unsupported manifest version {doc['version']!r}")
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(doc["public_key"], validate=True))
        signature = base64.b64decode(doc["signature"], validate=True)
        artifacts = {a["sha256"].lower(): str(a["path"]) for a in doc["artifacts"]}
        signer, when = str(doc["signer"]), str(doc["time"])
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise AttestationError(f"{path}: malformed manifest ({type(exc).__name__}: {exc})") from None
    if signer != key_id(public):
        raise AttestationError(f"{path}: signer {signer} does not match the embedded key {key_id(public)}")
    try:
        public.verify(signature, _canonical(doc))
    except InvalidSignature:
        raise AttestationError(f"{path}: bad signature (the manifest was altered or signed by another key)") from None
    if trusted is not None and signer not in {key_id(k) for k in trusted}:
        raise AttestationError(f"{path}: signed by key {signer}, which is not trusted")
    return Manifest(path, signer, when, artifacts)
