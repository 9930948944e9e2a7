# Functions: arguments, return values, locals, recursion.
greet() { echo "hello $1 ($# args)"; }
greet world extra
add() { return $(($1 + $2)); }
add 3 4; echo "returned $?"
counter=0
bump() { counter=$((counter + 1)); }
bump; bump; echo "counter $counter"
scope() { local counter=100; echo "local $counter"; }
scope; echo "global $counter"
fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(($1 - 1))) )); fi; }
echo "10! = $(fact 10)"
fib() { local n=$1; if [ $n -lt 2 ]; then echo $n; return; fi; local a=$(fib $((n-1))); local b=$(fib $((n-2))); echo $((a+b)); }
echo "fib 12 = $(fib 12)"
args() { for a in "$@"; do printf '[%s]' "$a"; done; echo; }
args "a b" c "" d
early() { echo before; return 9; echo after; }
early; echo "early $?"
nested() { inner() { echo "inner defined"; }; inner; }
nested; inner
unset -f greet
greet 2>/dev/null || echo "greet gone: $?"
