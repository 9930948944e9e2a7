/* Tries: under [trust] required, an attested program execs one no signed manifest
 * lists (/bin/true: immutable, on the read-only root, but not attested).
 * Must: execve fails with EACCES, audited (deny, attest); the caller goes on. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp) {
    char *args[] = {"/bin/true", NULL};
    execve("/bin/true", args, envp);
    printf("execve: -1 errno=%d\n", errno);
    return 0;
}
