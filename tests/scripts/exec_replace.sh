# exec replacing the shell, in subshells and in children.
( exec echo "exec in subshell" ); echo "after subshell: $?"
( exec sh -c 'exit 6' ); echo "exec'd child status: $?"
sh -c 'exec echo "sh -c exec"'
out=$(exec printf 'from %s' substitution); echo "$out"
( exec /bin/busybox true ); echo "true: $?"
( exec /nonexistent/prog ) 2>/dev/null; echo "missing: $?"
echo "last line before exec"
exec sh -c 'echo "replaced shell, args: $0 $1"; exit 12' zero one
echo "not reached"
