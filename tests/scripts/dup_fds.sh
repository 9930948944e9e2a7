# Duplicating and moving fds around commands and pipes.
{ echo out; echo err >&2; } 2>&1 | sort
{ echo out; echo err >&2; } 3>&1 1>&2 2>&3 3>&- 2>/dev/null
ls /nonexistent 2>&1 >/dev/null | sed 's/ls: //' | cut -c1-15
echo "to fd 4" 4>four.txt >&4; cat four.txt
{ echo a; echo b >&3; } 3>three.txt; cat three.txt
exec 3>&1
x=$( { echo "captured"; echo "bypass" >&3; } ); echo "x=$x"
exec 3>&-
cat <&- 2>/dev/null; echo "closed stdin: $?"
echo hi >&- 2>/dev/null; echo "closed stdout: $?"
seq 1 3 | { cat 0<&3 3<&- ; } 3<&0
while read -r l; do echo "line $l"; done 3<&0 < /dev/null
sh -c 'echo "fd 5 in child" >&5' 5>&1
sh -c 'cat /proc/self/fd/0 2>/dev/null || echo nope' < four.txt
sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "; echo' 7<four.txt
