# Redirections to and from files in the scratch directory.
echo first > out.txt
echo second >> out.txt
cat < out.txt
wc -l < out.txt
echo to-stderr >&2
ls no-such-file 2> err.txt; echo "ls status: $?"
sed 's/:.*//' err.txt | tr -d '\n' | wc -c >/dev/null && echo "stderr captured"
{ echo out; echo err >&2; } > both.txt 2>&1
sort both.txt
{ echo out; echo err >&2; } 2>&1 >/dev/null | cat
set -C
( echo clobber > out.txt ) 2>/dev/null || echo "noclobber refused"
echo forced >| out.txt
set +C
cat out.txt
: > empty.txt
wc -c < empty.txt
echo rw > rw.txt
exec 3<> rw.txt
read -r line <&3
echo "read back: $line"
echo appended >&3
exec 3>&-
cat rw.txt
cat < /dev/null; echo "devnull: $?"
echo "one" 1>o1.txt 1>o2.txt; echo "o1=$(cat o1.txt) o2=$(cat o2.txt)"
