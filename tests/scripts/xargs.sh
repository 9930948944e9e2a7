# xargs: batching, -n, -I, running a shell.
seq 1 10 | xargs echo
seq 1 10 | xargs -n 3 echo
printf 'a\nb\nc\n' | xargs -I{} echo "item {}"
seq 1 5 | xargs -n 1 sh -c 'echo $(($0 * $0))'
printf 'x y\nz\n' | xargs printf '[%s]\n'
echo "" | xargs echo empty; echo "status $?"
seq 1 3 | xargs -n 1 sh -c 'exit $0'; echo "failing command: $?"
printf 'one\0two\0' | xargs -0 echo
seq 1 2000 | xargs echo | wc -w
