/* Tries: the "shocker" escape: open_by_handle_at with a forged file handle (inode 2,
 * the root directory of an ext4 filesystem) relative to a mount's directory fd,
 * which on a host kernel opens files by inode, past any mount.
 * Must: refused: vkernel has no file handles (ENOSYS, audited enosys); Linux
 * without CAP_DAC_READ_SEARCH gives EPERM. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    struct { struct file_handle h; unsigned char bytes[8]; } fh;
    unsigned int ino = 2, gen = 0;
    fh.h.handle_bytes = 8;
    fh.h.handle_type = 1;                       /* FILEID_INO32_GEN */
    memcpy(fh.h.f_handle, &ino, 4);
    memcpy(fh.h.f_handle + 4, &gen, 4);
    int mfd = open("/data", O_RDONLY | O_DIRECTORY);
    int fd = open_by_handle_at(mfd, &fh.h, O_RDONLY | O_DIRECTORY);
    printf("open_by_handle_at: %d errno=%d\n", fd < 0 ? -1 : 0, fd < 0 ? errno : 0);
    return 0;
}
