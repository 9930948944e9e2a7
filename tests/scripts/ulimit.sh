# ulimit -n: reading, lowering, and its effect on open files.
ulimit -n 256
echo "soft $(ulimit -Sn) hard $(ulimit -Hn)"
ulimit -Sn 64
echo "soft $(ulimit -Sn) hard $(ulimit -Hn)"
( ulimit -Sn 16; echo "subshell soft $(ulimit -Sn)" ); echo "back to $(ulimit -Sn)"
ulimit -Sn 512 2>/dev/null; echo "raise soft above hard: $?"
ulimit -Sn 128; echo "raise soft within hard: $(ulimit -Sn)"
sh -c 'echo "child inherits $(ulimit -n)"'
( ulimit -Sn 10; exec 11>/dev/null ) 2>/dev/null; echo "fd above the limit: $?"
( ulimit -Sn 10; exec 9>/dev/null && echo "fd below the limit ok" )
ulimit -Hn 100; echo "hard lowered: $(ulimit -Hn) soft $(ulimit -Sn)"
