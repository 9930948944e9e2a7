# Environment: export, per-command assignments, unset, inheritance.
FOO=plain
sh -c 'echo "child sees FOO=[$FOO]"'
export FOO
sh -c 'echo "exported FOO=[$FOO]"'
BAR=temp sh -c 'echo "one-shot BAR=[$BAR]"'
echo "BAR after: [${BAR-unset}]"
export BAZ=direct
env | grep -E '^(FOO|BAZ)=' | sort
unset FOO
sh -c 'echo "after unset FOO=[${FOO-unset}]"'
env -i X=1 /bin/busybox sh -c 'echo "env -i: X=$X PATH=[${PATH-unset}]"' 2>&1 | sed 's|PATH=\[.*\]|PATH=[...]|'
env -u BAZ sh -c 'echo "env -u: [${BAZ-unset}]"'
readonly RO=fixed
( RO=changed ) 2>/dev/null || echo "readonly refused"
echo "HOME=$HOME LC_ALL=$LC_ALL"
f() { echo "in function LOCALV=$LOCALV"; }
LOCALV=yes f
printenv BAZ
