# Job control signals without a terminal: SIGSTOP, SIGCONT, and what /proc shows.
sleep 1 & p=$!
kill -STOP $p
sleep 0.4
echo "stopped: $(cut -d' ' -f3 /proc/$p/stat)"
grep State: /proc/$p/status | tr -s '\t ' ' '
kill -CONT $p
wait $p; echo "continued, then finished: $?"
sleep 5 & q=$!
kill -STOP $q
kill -TERM $q
kill -0 $q && echo "TERM waits while it is stopped"
kill -CONT $q
wait $q; echo "TERM acted on continue: $?"
sleep 5 & r=$!
kill -STOP $r
kill -KILL $r
wait $r; echo "KILL ends a stopped process: $?"
sh -c 'kill -TSTP $$; echo "TSTP in an orphaned group is discarded"'
trap 'echo "CONT handler ran"' CONT
kill -CONT $$
echo "after CONT to self"
