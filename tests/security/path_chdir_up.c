/* Tries: climbing out with the cwd: chdir("/data"), then chdir("..") forty times.
 * Must: the cwd stops at the container's root, "/". */
#include <stdio.h>
#include <unistd.h>

int main(void) {
    char cwd[4096];
    if (chdir("/data") < 0) return 1;
    for (int i = 0; i < 40; i++) chdir("..");
    printf("cwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : "?");
    return 0;
}
