"""[trust]: the digests that signed attestation manifests vouch for."""
from __future__ import annotations

import hashlib

from loader.attest import AttestationError, load_manifest, load_public_key
from vkernel.vfs.file import read_all
from vkernel.policy.manifest import PolicyError, TrustPolicy
from vkernel.vfs.inode import Inode


class TrustedDigests:
    """Loaded once, when the kernel starts: every manifest must verify with a trusted
    key, or the container does not start (PolicyError naming the file)."""

    def __init__(self, trust: TrustPolicy) -> None:
        try:
            keys = [load_public_key(path) for path in trust.keys]
            manifests = [load_manifest(path, keys) for path in trust.manifests]
        except AttestationError as exc:
            raise PolicyError(f"trust: {exc}") from None
        self.artifacts = {digest: f"{m.path}: {name}" for m in manifests for digest, name in m.artifacts.items()}
        # sha256 by (dev, inode, size, mtime): a file is hashed once while it is unchanged.
        self._cache: dict[tuple[int, int, int, int], str] = {}

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

