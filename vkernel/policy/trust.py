"""[trust]: the digests that signed attestation manifests vouch for.

A manifest counts only if its signature verifies with a trusted key that is neither
revoked (``revoked``: key ids or key files) nor expired when the manifest was signed
(a key's ``not_after`` against the manifest's signed ``time``).  Signatures made before
a key expired stay good, as with time-stamped code signing; the time is the signer's
own claim, so a revoked key, not an expired one, is the answer to a stolen key.
"""
from __future__ import annotations

import datetime
import hashlib

from loader.attest import AttestationError, Manifest, key_id, load_manifest, load_public_key
from vkernel.policy.manifest import PolicyError, TrustPolicy
from vkernel.vfs.file import read_all
from vkernel.vfs.inode import Inode


def signed_at(manifest: Manifest) -> datetime.datetime:
    """The manifest's signed time (ISO-8601, UTC)."""
    try:
        when = datetime.datetime.fromisoformat(manifest.time.replace("Z", "+00:00"))
    except ValueError:
        raise AttestationError(f"{manifest.path}: signing time {manifest.time!r} is not ISO-8601") from None
    return when if when.tzinfo is not None else when.replace(tzinfo=datetime.timezone.utc)


def check_key_validity(manifest: Manifest, not_after: dict[str, datetime.datetime | None],
                       revoked: set[str]) -> None:
    """AttestationError if the manifest's signer is revoked or signed after expiry."""
    signer = manifest.signer
    if signer in revoked:
        raise AttestationError(f"{manifest.path}: signed by key {signer}, which is revoked (trust.revoked)")
    expiry = not_after.get(signer)
    if expiry is not None:
        when = signed_at(manifest)
        if when > expiry:
            raise AttestationError(f"{manifest.path}: signed at {manifest.time} by key {signer}, "
                                   f"after the key expired (not_after {expiry.isoformat()})")


class TrustedDigests:
    """Loaded once, when the kernel starts: every manifest must verify with a trusted,
    valid key, or the container does not start (PolicyError naming the file and why)."""

    def __init__(self, trust: TrustPolicy) -> None:
        try:
            keys = [(load_public_key(k.path), k.not_after) for k in trust.keys]
            revoked = {r if "/" not in r else key_id(load_public_key(r)) for r in trust.revoked}
            not_after = {key_id(public): expiry for public, expiry in keys}
            manifests = []
            for path in trust.manifests:
                manifest = load_manifest(path, [public for public, _ in keys])
                check_key_validity(manifest, not_after, revoked)
                manifests.append(manifest)
        except AttestationError as exc:
            raise PolicyError(f"trust: {exc}") from None
        self.artifacts = {digest: f"{m.path}: {name}" for m in manifests for digest, name in m.artifacts.items()}
        # sha256 by (dev, inode, size, mtime): a file is hashed once while it is unchanged.
        self._cache: dict[tuple[int, int, int, int], str] = {}

    @classmethod
    def verified(cls, artifacts: dict[str, str]) -> TrustedDigests:
        """Digests a run already verified (a recording's: its replay reads no key or
        manifest), digest -> where it was listed."""
        trusted = cls.__new__(cls)
        trusted.artifacts = dict(artifacts)
        trusted._cache = {}
        return trusted

    def vouches(self, digest: str) -> bool:
        return digest in self.artifacts

    def digest(self, inode: Inode | None, data: bytes | None) -> str:
        if inode is None:
            assert data is not None
            return hashlib.sha256(data).hexdigest()
        st = inode.stat()
        key = (st.dev, st.ino, st.size, st.mtime_ns)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = hashlib.sha256(data if data is not None else read_all(inode)).hexdigest()
        return cached
