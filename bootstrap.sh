#!/bin/sh
# Set up everything vkernel needs on Debian 12 (as root) and run one of:
#   ./bootstrap.sh demo    a real program (Debian's busybox-static) under vkemu
#   ./bootstrap.sh test    the whole test suite
#   ./bootstrap.sh bench   the benchmark (native vs qemu-user vs vkemu)
set -eu
cd "$(dirname "$0")"
mode="${1:-test}"

packages="gcc musl-tools busybox-static python3-venv gdb sqlite3 lua5.4 libpython3.11-testsuite"
[ "$mode" = bench ] && packages="$packages qemu-user"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq $missing >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'
export PATH="$PWD/.venv/bin:$PATH"

case "$mode" in
demo)
    exec sh tools/demo.sh ;;
test)
    shift 2>/dev/null || true
    exec python -m pytest -n 2 -q "$@" ;;
bench)
    shift 2>/dev/null || true
    exec python -m tools.bench "$@" ;;
*)
    echo "usage: $0 demo|test|bench" >&2; exit 2 ;;
esac
