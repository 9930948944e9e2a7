# What a shell can see of itself in /proc.
readlink /proc/self/exe
[ -d /proc/$$ ] && echo "own /proc dir"
tr '\0' ' ' < /proc/self/cmdline; echo
sh -c 'tr "\0" " " < /proc/$$/cmdline; echo' | sed 's|/.*/||'
[ "$(sh -c 'echo $PPID')" = "$$" ] && echo "PPID of a child is \$\$"
grep -E '^(Name|State):' /proc/self/status | tr -s '\t ' ' '
cat /proc/self/comm
p=$(sh -c 'echo $$'); [ "$p" != "$$" ] && echo "a child has its own pid"
sleep 1 & q=$!; [ -d /proc/$q ] && echo "child in /proc while it runs"; kill $q; wait $q
cut -d' ' -f3 /proc/self/stat
