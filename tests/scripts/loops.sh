# for, while, until, break, continue, nested loops.
for i in 1 2 3; do echo "for $i"; done
for w in $(echo a b c); do printf '%s-' "$w"; done; echo
i=0
while [ $i -lt 5 ]; do i=$((i + 1)); [ $i -eq 2 ] && continue; echo "while $i"; done
until [ $i -eq 0 ]; do i=$((i - 1)); done; echo "until done: $i"
for a in 1 2 3; do
    for b in 1 2 3; do
        [ $b -eq 2 ] && continue 2
        [ $a -eq 3 ] && break 2
        echo "pair $a$b"
    done
done
total=0
for n in $(seq 1 200); do total=$((total + n)); done
echo "total $total"
set -- x y z
for arg; do echo "arg $arg"; done
for f in /nonexistent/*; do echo "glob: $f"; done
n=0; while :; do n=$((n+1)); [ $n -ge 1000 ] && break; done; echo "n=$n"
seq 1 3 | while read v; do echo "piped $v"; done
