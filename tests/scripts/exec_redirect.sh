# exec with only redirections changes the shell's own fds.
exec 3> three.txt
echo "to fd 3" >&3
echo "more" >&3
exec 3>&-
cat three.txt
echo "fd 3 closed" >&3 2>/dev/null || echo "write to closed fd fails"
exec 4< three.txt
read -r first <&4
read -r second <&4
exec 4<&-
echo "read: $first / $second"
exec 5>&1
exec > redirected.txt
echo "into the file"
ls /nonexistent 2>&1 | wc -l
exec 1>&5 5>&-
echo "back on stdout"
cat redirected.txt
exec 6>&2 2> err.txt
echo oops >&2
exec 2>&6 6>&-
cat err.txt
exec 7<&0
exec 0< three.txt
read -r l; echo "stdin now: $l"
exec 0<&7 7<&-
exec 9>nine.txt; echo nine >&9; exec 9>&-; cat nine.txt
