# trap on EXIT: runs once, keeps the exit status, also in subshells.
trap 'echo "exit trap, status $?"' EXIT
echo start
( trap 'echo "subshell trap"' EXIT; exit 2 ); echo "subshell: $?"
sh -c 'trap "echo inner trap" EXIT; echo inner body'
f() { echo in function; }
f
trap
exit 3
