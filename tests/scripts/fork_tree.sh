# A fork tree: 50 background subshells writing into one pipe, summed at the end;
# then a chain of 20 subshells connected by pipes, each adding one.
{
    i=1
    while [ $i -le 50 ]; do
        ( echo $((i * i)) ) &
        i=$((i + 1))
    done
    wait
} | { sum=0; n=0; while read v; do sum=$((sum + v)); n=$((n + 1)); done; echo "50 subshells: n=$n sum=$sum"; }
cmd="echo 0"
for i in $(seq 1 20); do cmd="$cmd | { read x; echo \$((x + 1)); }"; done
eval "$cmd"
tree() {
    if [ $1 -le 0 ]; then echo 1; return; fi
    l=$(tree $(($1 - 1)) &
        wait)
    r=$(tree $(($1 - 1)))
    echo $((l + r))
}
echo "binary tree leaves: $(tree 4)"
for i in $(seq 1 10); do ( exit $i ) & eval "p$i=\$!"; done
total=0
for i in $(seq 1 10); do eval "wait \$p$i"; total=$((total + $?)); done
echo "sum of exit statuses: $total"
