# Subshells: state does not leak back, exit statuses come through.
v=outer
( v=inner; echo "in subshell: $v" )
echo "after subshell: $v"
( cd /; pwd )
pwd >/dev/null
( exit 7 ); echo "subshell exit: $?"
( ( ( echo deep; exit 3 ) ); echo "inner got $?"; exit 5 ); echo "outer got $?"
{ v=group; }; echo "group changes the shell: $v"
out=$( (echo a; echo b) | (read first; read second; echo "$second$first") )
echo "piped subshells: $out"
( trap 'echo subshell exit trap' EXIT; echo in sub )
echo "pid stays: $( [ "$(echo $$)" = "$$" ] && echo same )"
