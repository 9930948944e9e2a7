# Positional parameters, shift, "$@" versus "$*", set --.
set -- "a b" c "" d
echo "count $#"
for x in "$@"; do printf '<%s>' "$x"; done; echo
for x in "$*"; do printf '<%s>' "$x"; done; echo
for x in $*; do printf '<%s>' "$x"; done; echo
IFS=-; echo "joined: $*"; IFS=' '
shift; echo "after shift: $# first=[$1]"
shift 2; echo "after shift 2: $# first=[$1]"
shift 5 2>/dev/null; echo "shift too far: $?"
set -- 1 2 3 4 5 6 7 8 9 10 11
echo "ninth $9 tenth ${10} eleventh ${11}"
set --; echo "cleared: $#"
count() { echo "$#"; }
count "$@"; count "" ""; count "$*"
echo "\$0 is a path ending in ${0##*/}"
sh -c 'echo "sh -c: 0=$0 1=$1 #=$#"' name one two
