"""LTP-style C conformance tests for vkernel, built static with glibc and musl and run
natively and under vkemu.  See ``python3 -m ltp_subset.run --help``."""
