#!/bin/sh
# A short tour: Debian's busybox-static running under vkemu, compared with native.
set -eu
work=$(mktemp -d /var/tmp/vkemu-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT
printf 'banana\napple\ncherry\napple\n' > "$work/fruit.txt"
mkdir -p "$work/docs/sub" && echo "hello from the host" > "$work/docs/sub/note.txt"

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
say vkemu /bin/busybox uname -a
vkemu /bin/busybox uname -a
say vkemu /bin/busybox sort "$work/fruit.txt" '|' uniq -c
vkemu /bin/busybox sort "$work/fruit.txt" > "$work/sorted.txt" && vkemu /bin/busybox uniq -c "$work/sorted.txt"
say vkemu /bin/busybox sh -c "seq 1 100000 | sort -rn | head -3"
vkemu /bin/busybox sh -c "/bin/busybox seq 1 100000 | /bin/busybox sort -rn | /bin/busybox head -3"
say vkemu /bin/ls -l "$work" '  (a dynamically linked Debian program: ld.so runs inside)'
vkemu /bin/ls -l "$work"
say vkemu /bin/busybox sh -c "cp /bin/busybox /tmp/bb; /tmp/bb true" '  (W^X: code the container wrote never runs)'
vkemu /bin/busybox sh -c "cp /bin/busybox /tmp/bb; /tmp/bb true" || echo "  exit status $?"
say vkemu /bin/busybox find "$work/docs"
vkemu /bin/busybox find "$work/docs"
say vkemu /bin/busybox sha256sum "$work/fruit.txt" '  (native:' "$(sha256sum "$work/fruit.txt" | cut -c1-16)...)"
vkemu /bin/busybox sha256sum "$work/fruit.txt"
say "vkemu /bin/busybox rm $work/fruit.txt   (writes land in the container's memory layer)"
vkemu /bin/busybox rm "$work/fruit.txt"; ls "$work/fruit.txt" && echo "  ...and the host file is untouched"
say vkemu --trace /bin/busybox cat /proc/self/maps
vkemu --trace /bin/busybox cat /proc/self/maps 2>&1 | tail -n 12
say vkemu syscalls '(first lines)'
vkemu syscalls | head -n 12
