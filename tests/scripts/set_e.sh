# set -e: failures in conditions are tolerated, a plain failure ends the script.
set -e
if false; then echo no; else echo "if condition may fail"; fi
false || echo "|| rescues"
! true || echo "not reached"
while false; do :; done
echo "loops fine"
f() { false; echo "after false in function (not reached under set -e)"; }
f || echo "function failure in || is tolerated"
x=$(false || echo sub); echo "x=$x"
( set +e; false; echo "set +e in subshell continues" )
echo "before the failure"
sh -c 'exit 3'
echo "not reached"
