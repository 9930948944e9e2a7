/* The fuzzed process's program: the in-process driver never runs it, it only gives the
   process a real address space (loaded by the kernel's own ELF loader). */
#include <unistd.h>

int main(void) {
    for (;;)
        pause();
}
