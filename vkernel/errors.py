"""Errors the kernel returns to the guest, and the one place host errors are converted."""
from __future__ import annotations

import errno as host_errno

from vkernel import abi


class SyscallError(Exception):
    """A syscall fails with a guest errno: handlers raise it, the dispatcher returns -errno."""

    __slots__ = ("errno",)

    def __init__(self, errno: int) -> None:
        super().__init__(errno)
        self.errno = errno

    def __str__(self) -> str:
        return abi.ERRNO_NAME.get(self.errno, str(self.errno))


# Host errno numbers mapped to guest ones by name, so a host with different numbering
# could never leak its values into the guest.
_HOST_TO_GUEST = {getattr(host_errno, name): num for num, name in abi.ERRNO_NAME.items()
                  if hasattr(host_errno, name)}


def from_os_error(exc: OSError) -> SyscallError:
    """Translate a host OSError raised by a host-backed object into a guest error."""
    return SyscallError(_HOST_TO_GUEST.get(exc.errno or 0, abi.EIO))
