# Signals to the shell's process group and to process groups of children.
trap 'echo "shell got USR1"' USR1
kill -USR1 0
echo "after group kill"
trap 'echo "shell got USR2"' USR2
sh -c 'trap "echo child got USR2" USR2; trap "" USR1; kill -USR2 0; echo "child continues"'
echo "child status $?"
trap '' USR2
sh -c 'kill -USR2 0; echo "ignored USR2 inherited"'
kill -0 $$ && echo "kill -0 on self"
kill -0 999999 2>/dev/null; echo "kill -0 on a missing pid: $?"
sleep 5 & p=$!
kill -0 $p && echo "kill -0 on a child"
kill -STOP $p
kill -CONT $p
kill $p; wait $p; echo "stopped, continued and killed: $?"
kill -l 9 15; kill -l 137
set -m 2>&1 | sed 's/line [0-9]*: //'
