# Shells inside shells inside shells: quoting and statuses through the layers.
sh -c "sh -c 'sh -c \"echo deep; exit 4\"'"; echo "status through three shells: $?"
sh -c 'echo "level $1"; sh -c "echo level \$1; exit 3" x 2; exit $(( $? + 1 ))' x 1; echo "got $?"
out=$(sh -c 'echo $(sh -c "echo \$(echo innermost)")'); echo "$out"
/bin/busybox sh -c 'echo "via full path"'
busybox sh -c 'echo "via PATH lookup"'
echo 'echo "from stdin"; exit 8' | sh; echo "sh reading stdin: $?"
sh -s a b <<END
echo "sh -s args: \$1 \$2"
END
n=0; for i in 1 2 3 4 5 6 7 8; do n=$(sh -c "echo \$(( $n + $i ))"); done; echo "accumulated $n"
