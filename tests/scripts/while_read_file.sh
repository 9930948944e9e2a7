# while read loops over files, with field splitting.
cat > users.txt <<END
root:x:0:0:root:/root:/bin/sh
alice:x:1000:1000:Alice:/home/alice:/bin/bash
bob:x:1001:1001::/home/bob:/bin/sh
END
while IFS=: read -r name pw uid gid gecos home shell; do
    echo "$name uid=$uid home=$home shell=${shell##*/}"
done < users.txt
n=0
while read -r line; do n=$((n + 1)); done < users.txt
echo "lines: $n"
seq 1 100 > nums.txt
sum=0
while read v; do sum=$((sum + v)); done < nums.txt
echo "sum: $sum"
while read a; do read b; echo "$a+$b"; done < nums.txt | head -3
exec 3< users.txt
while read -r line <&3; do echo "${line%%:*}"; done
exec 3<&-
while read -r x; do
    while read -r y; do echo "$x$y"; done <<END
1
2
END
done <<END
a
b
END
