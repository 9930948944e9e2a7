# umask: printing, setting, its effect on new files, inheritance.
umask 022
umask
touch f022; mkdir d022
stat -c '%a %n' f022 d022
umask 077
umask
touch f077; mkdir d077
stat -c '%a %n' f077 d077
umask -S
umask u=rwx,g=rx,o=
umask
( umask 0; umask ); umask
sh -c 'umask'
umask 027; echo data > created.txt; stat -c '%a' created.txt
umask 0; mkdir -m 777 open; stat -c '%a' open
