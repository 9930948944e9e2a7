/* A session leader with a pty as controlling terminal exits: the terminal's foreground
 * process group gets SIGHUP, and the terminal belongs to no session after.  The leader
 * and a member of its (foreground) group are children of this process, which holds the
 * master and reports what the member saw. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int report[2];

static void on_hup(int sig) {
    char c = 'H';
    write(report[1], &c, 1);
    _exit(0);                 /* not back to pause(): the signal may come before it */
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) || unlockpt(m) || pipe(report))
        return 1;
    char name[64];
    snprintf(name, sizeof name, "%s", ptsname(m));
    int ready[2];
    if (pipe(ready))
        return 1;
    pid_t leader = fork();
    if (leader == 0) {
        setsid();
        int s = open(name, O_RDWR);        /* no O_NOCTTY: becomes the controlling tty */
        pid_t member = fork();
        if (member == 0) {
            signal(SIGHUP, on_hup);
            char c = 'R';
            write(ready[1], &c, 1);
            for (;;)
                pause();
        }
        char c;
        read(ready[0], &c, 1);             /* the member's handler is in place */
        printf("leader: tcgetpgrp is my group %d, sid is me %d\n", tcgetpgrp(s) == getpgrp(),
               getsid(0) == getpid());
        _exit(3);                          /* the member stays, in the foreground group */
    }
    int status;
    waitpid(leader, &status, 0);
    printf("leader exited %d\n", WEXITSTATUS(status));
    char c = 0;
    if (read(report[0], &c, 1) == 1)
        printf("member got %s\n", c == 'H' ? "SIGHUP" : "something else");
    /* The terminal now belongs to no session: TIOCGSID on the master fails. */
    pid_t sid;
    int r = ioctl(m, TIOCGSID, &sid);
    printf("TIOCGSID after: %s\n", r < 0 ? "fails" : "a session");
    return 0;
}
