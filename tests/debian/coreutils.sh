# GNU coreutils (and a few friends) over a small fixed input.
in=$1
t() { echo "== $*"; "$@"; echo "rc=$?"; }
t wc "$in"
t sha256sum "$in"
t md5sum "$in"
t sha512sum "$in"
t cksum "$in"
t cut -d' ' -f2 "$in"
t tr a-z A-Z < "$in"
t tr -d aeiou < "$in"
t seq -s, 1 3 30
t seq -w 8 11
t date -d @0 -u
t date -d @1234567890 -u '+%Y-%m-%dT%H:%M:%S %A %j'
t sort -k2,2n "$in"
t sort -u -f "$in"
t uniq -c "$in"
t head -c 20 "$in"
t tail -n 2 "$in"
t base64 "$in"
t od -An -tx1 -N16 "$in"
t expr 6 \* 7
t factor 1234567 600851475143
t nl "$in"
t tac "$in"
t paste -d: "$in" "$in"
t fold -w 5 "$in"
t numfmt --to=iec 123456789
t basename /a/b/c.txt .txt
t dirname /a/b/c.txt
t printf '%s-%d\n' a 1 b 2
t join <(sort "$in") <(sort "$in")
t awk '{s += $2} END {print s}' "$in"
t sed -n 's/a/A/gp' "$in"
t grep -c a "$in"
t dd if="$in" bs=4 count=2 status=none
t sh -c 'gzip -c "$1" | gzip -dc | cmp - "$1" && echo gzip-ok' sh "$in"
t stat -c '%s %a %U %G %F' "$in"
t env -i A=1 B=2 env
t test -r "$in"
t true
t false
