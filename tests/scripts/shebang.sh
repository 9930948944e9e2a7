# Scripts started directly through their #! line, and files without one.
printf '#!/bin/busybox sh\necho "script $0 got $# args: $*"\nexit 4\n' > hello.sh
chmod +x hello.sh
./hello.sh a "b c"; echo "status $?"
printf '#!/bin/busybox sh -e\nfalse\necho not reached\n' > strict.sh
chmod 755 strict.sh
./strict.sh; echo "sh -e via #!: $?"
printf 'echo "no #! line, run by the shell"\nexit 3\n' > plain.sh
chmod +x plain.sh
./plain.sh; echo "plain: $?"
printf '#!/bin/busybox sh\n./hello.sh nested\n' > outer.sh
chmod +x outer.sh
./outer.sh; echo "outer: $?"
printf '#!/bin/busybox sh\necho never\n' > noexec.sh
./noexec.sh 2>/dev/null; echo "not executable: $?"
printf '#!/nonexistent/interp\n' > badinterp.sh
chmod +x badinterp.sh
./badinterp.sh 2>/dev/null; echo "missing interpreter: $?"
printf '#!/bin/busybox awk -f\nBEGIN { print "awk via #!" }\n' > prog.awk
chmod +x prog.awk
./prog.awk
out=$(./hello.sh x | tr a-z A-Z); echo "$out"
mkdir -p bin && cp hello.sh bin/greet
PATH="$PWD/bin:$PATH" greet via-path; echo "via PATH: $?"
