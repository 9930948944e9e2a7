# read from pipes and here-strings.
echo "a b c" | { read x y z; echo "$z $y $x"; }
echo "one two three four" | { read first rest; echo "first=$first rest=$rest"; }
printf 'l1\nl2\nl3' | { while read -r l; do echo "got $l"; done; echo "last partial: $l"; }
printf 'k=v\n' | { IFS== read key val; echo "$key -> $val"; }
printf 'back\\slash\n' | { read -r raw; echo "raw: $raw"; }
printf 'back\\slash\n' | { read cooked; echo "cooked: $cooked"; }
echo "lost" | read lost; echo "read in a pipeline subshell: [${lost-unset}]"
printf '' | { read nothing; echo "empty pipe read: $?"; }
seq 1 5 | { read a; read b; cat; echo "a=$a b=$b"; }
printf '  leading and trailing  \n' | { read v; echo "[$v]"; }
printf '  leading and trailing  \n' | { IFS= read v; echo "[$v]"; }
seq 1 3000 | { n=0; while read l; do n=$((n+1)); done; echo "read $n lines"; }
