# eval, quoting and word splitting.
cmd='echo "quoted   spaces"'
eval "$cmd"
eval 'x=1; y=$((x + 1))'; echo "x=$x y=$y"
var=name; eval "$var=value"; echo "name=$name"
for i in 1 2 3; do eval "v$i=$((i * 10))"; done; echo "$v1 $v2 $v3"
a='$HOME'; echo "$a"; eval echo "$a" | sed 's|^/.*|a path|'
echo 'single $x' "double $x" "escaped \$x" 'it'"'"'s'
echo "tab:	end" | od -c | head -1 | tr -s ' '
s="a*b"; echo "$s" $s
printf '%s\n' "$(echo '"inner quotes"')"
set -- "one arg"; eval "set -- $1"; echo "after eval: $#"
eval 'false'; echo "eval status: $?"
eval ''; echo "empty eval: $?"
alias ll='echo aliased' 2>/dev/null
eval 'll'
