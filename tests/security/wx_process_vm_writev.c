/* Tries: process_vm_writev into our own memory (the same call reaches others').
 * Must: EPERM, audited (errno, syscalls.rule[0]). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void) {
    static char target[8], source[8] = "payload";
    struct iovec local = {source, 8}, remote = {target, 8};
    long rc = syscall(SYS_process_vm_writev, getpid(), &local, 1, &remote, 1, 0);
    printf("process_vm_writev: %ld errno=%d\n", rc, rc < 0 ? errno : 0);
    return 0;
}
