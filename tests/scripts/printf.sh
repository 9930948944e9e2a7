# printf formats.
printf '%s|%s\n' one two
printf '%d %i %5d|%-5d|%05d\n' 42 -7 3 3 3
printf '%x %X %o %#x %#o\n' 255 255 8 255 8
printf '%.2f %8.3f %e\n' 3.14159 2.5 12345.678
printf '%c%c%c\n' a b c
printf '%s\n' multiple args reuse the format
printf '%b\n' 'tab\there' 'newline\\n literal'
printf 'escapes: \\ \101 \x42 \t|\n'
printf '%10s|%-10s|%.3s\n' right left truncate
printf '%%d is literal\n'
printf '%d\n' 0x1f 010 "'A"
printf '%s and %s\n' only
printf 'no newline'; echo
printf '%s\n' "$(printf '%03d,' 1 2 3)"
printf '%d\n' notanumber 2>/dev/null; echo "bad number status: $?"
v=$(printf '%*d' 6 42); echo "[$v]"
