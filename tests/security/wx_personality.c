/* Tries: personality(READ_IMPLIES_EXEC), which would make every readable mapping
 * executable.
 * Must: EPERM, audited (deny, personality). */
#include <errno.h>
#include <stdio.h>
#include <sys/personality.h>

int main(void) {
    int rc = personality(READ_IMPLIES_EXEC);
    printf("personality: %d errno=%d\n", rc < 0 ? -1 : 0, rc < 0 ? errno : 0);
    return 0;
}
