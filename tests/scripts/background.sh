# Background jobs, $! and wait.
sleep 0.05 &
pid=$!
[ -n "$pid" ] && echo "got a pid"
wait $pid; echo "sleep status $?"
( exit 3 ) &
wait $!; echo "subshell status $?"
sh -c 'exit 4' &
p4=$!
sh -c 'exit 5' &
p5=$!
wait $p5; echo "second $?"
wait $p4; echo "first $?"
for i in 1 2 3 4 5; do ( echo "job $i" > job$i.txt ) & done
wait
cat job1.txt job2.txt job3.txt job4.txt job5.txt
( sleep 0.05; echo late ) &
echo early
wait
wait; echo "wait with no children: $?"
sleep 10 &
kill $!
wait $!; echo "killed job: $?"
