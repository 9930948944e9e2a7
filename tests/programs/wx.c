/* W^X (invariant 1): vkemu refuses these with EACCES; natively they succeed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

static void show(const char *what, int ok) {
    printf("%-28s %s\n", what, ok ? "allowed" : strerror(errno));
}

int main(void) {
    void *p = mmap(0, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("anonymous PROT_EXEC", p != MAP_FAILED);
    p = mmap(0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    show("anonymous W+X", p != MAP_FAILED);
    char *q = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    q[0] = (char)0xc3;  /* ret */
    show("W then X (mprotect)", mprotect(q, 4096, PROT_READ | PROT_EXEC) == 0);
    show("W then R (mprotect)", mprotect(q, 4096, PROT_READ) == 0);
    show("once W, now X", mprotect(q, 4096, PROT_READ | PROT_EXEC) == 0);
    return 0;
}
