"""Sockets: the common socket description (socket.py), AF_UNIX inside the kernel
(unix.py) and AF_INET/AF_INET6 over host sockets (inet.py)."""
