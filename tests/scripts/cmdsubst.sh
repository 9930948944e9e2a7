# Command substitution: $(...), backquotes, nesting, trailing newlines, exit status.
x=$(echo hello)
echo "x=$x"
y=`echo world`
echo "y=$y"
echo "nested: $(echo outer $(echo inner $(echo core)))"
z=$(printf 'a\nb\n\n\n')
echo "z=[$z]"
n=$(seq 1 10 | wc -l)
echo "lines=$n"
v=$(exit 7)
echo "status of assignment from substitution: $?"
echo "arith on substitution: $(( $(echo 6) * $(echo 7) ))"
big=$(seq 1 20000 | tail -1)
echo "big=$big"
echo "in quotes: \"$(echo '  spaced  out  ')\""
set -- $(echo one two three)
echo "words: $# $2"
