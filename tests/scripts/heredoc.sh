# Here-documents: expansion, quoting, tab stripping, into loops and files.
name=world
cat <<END
hello $name
sum $((2 + 3))
cmd $(echo subst)
END
cat <<'END'
no $expansion here $(echo nor) `this`
END
	cat <<-END
	tabs stripped
		inner tab too
	END
while read -r a b; do
    echo "$b $a"
done <<END
1 one
2 two
3 three
END
cat > here.txt <<EOF2
into a file
EOF2
cat here.txt
tr a-z A-Z <<END | sed 's/^/> /'
piped heredoc
END
cat <<A; cat <<B
from a
A
from b
B
x=$(cat <<END
inside substitution
END
)
echo "$x"
big=$(seq 1 5000 | sed 's/^/line /')
cat <<END | tail -2
$big
END
