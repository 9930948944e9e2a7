# trap on signals sent with kill to the shell itself and to children.
trap 'echo "got USR1"' USR1
kill -USR1 $$
echo "after USR1"
trap 'echo "got USR2"; n=$((n + 1))' USR2
n=0
kill -USR2 $$; kill -USR2 $$; kill -USR2 $$
echo "USR2 count $n"
trap '' HUP
kill -HUP $$
echo "HUP ignored"
trap - USR1
sh -c 'trap "echo child TERM; exit 9" TERM; kill -TERM $$; echo not reached'
echo "child status $?"
sh -c 'kill -USR1 $$; echo not reached'
echo "child killed by USR1: $?"
trap 'echo "INT trapped"' INT
kill -INT $$
echo "still here"
sleep 5 & pid=$!
kill -TERM $pid; wait $pid; echo "sleep got TERM: $?"
trap 'echo "TERM trapped, exiting"; exit 0' TERM
( kill -TERM $$ 2>/dev/null; : ) ; echo "parent after subshell sent TERM"
