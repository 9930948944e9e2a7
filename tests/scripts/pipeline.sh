# Pipelines: a long one through sort, exit status of the last stage, SIGPIPE'd writers.
seq 1 100000 | sort -rn | head -5
echo "a b c d" | tr ' ' '\n' | wc -l
printf 'pear\napple\nfig\napple\n' | sort | uniq -c | sort -rn | head -1 | tr -s ' '
false | true; echo "false|true -> $?"
true | false; echo "true|false -> $?"
! true | false; echo "! true|false -> $?"
(yes; echo "yes died with $?" >&2) | head -3
seq 1 1000000 | head -2
seq 1 20 | grep 1 | tail -3 | cat | cat | cat
