/* Tries: System V shared memory attached executable: shmget, shmat(SHM_EXEC).
 * Must: shmget is not offered (ENOSYS, audited enosys); were it, SHM_EXEC would be
 * refused. */
#include <errno.h>
#include <stdio.h>
#include <sys/shm.h>

int main(void) {
    int id = shmget(IPC_PRIVATE, 4096, 0600);
    if (id < 0) { printf("shmget: -1 errno=%d\n", errno); return 0; }
    void *m = shmat(id, 0, SHM_EXEC);
    printf("shmat: %d errno=%d\n", m == (void *)-1 ? -1 : 0, m == (void *)-1 ? errno : 0);
    return 0;
}
