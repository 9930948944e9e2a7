# Bash features a script leans on: arithmetic, functions, recursion, arrays,
# subshells, pipes, here-docs and here-strings, traps, background jobs (job control off).
set +m
total=0
for i in $(seq 1 20); do total=$((total + i * i)); done
echo "total=$total"
x=$( (echo sub; echo shell) | tr a-z A-Z | sort -r | paste -sd, )
echo "$x"
while read -r a b; do echo "[$b:$a]"; done <<EOF
one 1
two 2
three 3
EOF
cat <<'RAW' | wc -c
$not_expanded `nor this`
RAW
read -r first rest <<< "here string words"; echo "$first|$rest"
f() { local n=$1; if (( n <= 1 )); then echo 1; else echo $(( n * $(f $((n - 1))) )); fi; }
echo "fact=$(f 10)"
arr=(z y x); arr+=(w); echo "${#arr[@]} ${arr[*]} ${arr[@]:1:2}"
declare -A m=([k1]=v1 [k2]=v2); for k in $(printf '%s\n' "${!m[@]}" | sort); do echo "$k=${m[$k]}"; done
case "hello.txt" in *.txt) echo txt;; *) echo other;; esac
s="Hello World"; echo "${s,,} ${s^^} ${s/World/There} ${#s} ${s:6}"
( exit 3 ); echo "subshell status=$?"
{ echo a; echo b; } | wc -l
echo $(( 2**40 )) $(( -7 / 2 )) $(( 7 % -3 ))
printf '%05d|%-6s|%x\n' 42 ab 255
false || echo "or list"
set -o pipefail; false | true; echo "pipefail=$?"; set +o pipefail
for n in 1 2 3; do (sleep 0.$((n * 2)); echo "job $n") & done; wait
sleep 5 & pid=$!; kill -TERM $pid; wait $pid; echo "killed job status=$?"
trap 'echo "caught USR1"' USR1; kill -USR1 $$
comm -12 <(printf 'a\nb\nc\n') <(printf 'b\nc\nd\n') | paste -sd+
exec 3> >(tr a-z A-Z); echo "through fd 3" >&3; exec 3>&-; wait
i=0; until (( i >= 3 )); do ((i++)); done; echo "until=$i"
shopt -s extglob; v="aaa-bbb"; echo "${v//+(a)/X}"
mapfile -t lines < <(printf 'l1\nl2\nl3\n'); echo "${#lines[@]} ${lines[2]}"
trap 'echo "exit trap"' EXIT
