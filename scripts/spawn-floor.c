/*
 * spawn-floor: what starting a process costs here, measured from C so that the harness adds nothing of its own.
 *
 *   cc -O2 -o /tmp/spawn-floor scripts/spawn-floor.c
 *   spawn-floor exec ROUNDS PROGRAM [ARGS...]   posix_spawn + waitpid, ROUNDS times (stdin /dev/null, stdout and
 *                                               stderr to /dev/null); prints the best and the median of 3 runs, ms
 *   spawn-floor worker ROUNDS WORKER [...]      a chatfork-worker started the way the supervisor starts it (a pipe
 *                                               to listen on, --pipe --supervisor, the secret on stdin), up to its
 *                                               Hello frame (it then waits for a hand-off), then told to go with a
 *                                               Shutdown frame and reaped; same figures. WORKER may be a command
 *                                               with a wrapper first (valgrind --tool=callgrind WORKER)
 *   spawn-floor hold COUNT WORKER [...]         COUNT such workers started, each up to its Hello, left idle; then
 *                                               the mean Pss, Private_Dirty, Rss (smaps_rollup) and threads of one
 *                                               worker; all told to go
 *
 * Not part of the build; the bench (chatfork-bench) measures the same floor its own way. Linux only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void die(const char *what)
{
    perror(what);
    exit(2);
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double runs[3], int rounds)
{
    qsort(runs, 3, sizeof runs[0], cmp);
    printf("%s: best %.3f ms, median %.3f ms per spawn+exit (3 x %d)\n", what, runs[0] / rounds, runs[1] / rounds, rounds);
}

static pid_t spawn(char **argv, int in_fd)
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (in_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
    else
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        errno = rc;
        die("posix_spawn");
    }
    return pid;
}

static void reap(pid_t pid, int expect_zero)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            die("waitpid");
    if (expect_zero && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
        fprintf(stderr, "child %d ended with status 0x%x\n", pid, status);
        exit(3);
    }
}

/* One started worker: its pid and the supervisor's end of its pipe. */
struct started { pid_t pid; int conn; };

static char dir[64];

/* The worker's command: the words from the command line (a wrapper such as valgrind may come first), then the
   arguments the supervisor gives. */
static char **worker_words;
static int worker_count;

static struct started start_worker(int n)
{
    char path[96], sup[16];
    snprintf(path, sizeof path, "%s/w%d", dir, n);
    snprintf(sup, sizeof sup, "%d", getpid());
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
    unlink(path);
    if (listener < 0 || bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, 1) < 0)
        die("listen");
    int in[2];
    if (pipe2(in, O_CLOEXEC) < 0)
        die("pipe");
    char *argv[64];
    int c = 0;
    for (int i = 0; i < worker_count && c < 56; i++)
        argv[c++] = worker_words[i];
    char *tail[] = { "--pipe", path, "--supervisor", sup, "--mode", "chat", NULL };
    for (int i = 0; i < 7; i++)
        argv[c++] = tail[i];
    struct started s = { .pid = spawn(argv, in[0]) };
    close(in[0]);
    static const char secret[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n";
    if (write(in[1], secret, sizeof secret - 1) != (ssize_t)(sizeof secret - 1))
        die("write secret");
    close(in[1]);
    alarm(30); /* a worker that dies before its Hello must not hang the harness */
    s.conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);
    if (s.conn < 0)
        die("accept");
    close(listener);
    unlink(path);
    /* Hello: u32 length, u8 type 1, i32 pid, u8 32, 32 bytes of secret. */
    unsigned char hello[5 + 4 + 1 + 32];
    size_t got = 0;
    while (got < sizeof hello) {
        ssize_t r = read(s.conn, hello + got, sizeof hello - got);
        if (r <= 0)
            die("read hello");
        got += r;
    }
    alarm(0);
    if (hello[4] != 1) {
        fprintf(stderr, "expected a Hello frame, got type %d\n", hello[4]);
        exit(3);
    }
    return s;
}

static void stop_worker(struct started s)
{
    /* Shutdown (66) with an empty text: an idle worker told to go exits 0. */
    static const unsigned char shutdown_frame[] = { 1, 0, 0, 0, 66 };
    if (write(s.conn, shutdown_frame, sizeof shutdown_frame) != sizeof shutdown_frame)
        die("write shutdown");
    reap(s.pid, 1);
    close(s.conn);
}

static long field(const char *text, const char *name)
{
    const char *p = strstr(text, name);
    return p ? atol(p + strlen(name)) : -1;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: spawn-floor exec|worker|hold N PROGRAM [ARGS...]\n");
        return 2;
    }
    int rounds = atoi(argv[2]);
    snprintf(dir, sizeof dir, "/tmp/spawn-floor-%d", getpid());
    worker_words = argv + 3;
    worker_count = argc - 3;
    mkdir(dir, 0700);
    double runs[3];
    if (strcmp(argv[1], "exec") == 0) {
        for (int r = 0; r < 3; r++) {
            double t0 = now_ms();
            for (int i = 0; i < rounds; i++)
                reap(spawn(argv + 3, -1), 0);
            runs[r] = now_ms() - t0;
        }
        report(argv[3], runs, rounds);
    } else if (strcmp(argv[1], "worker") == 0) {
        for (int r = 0; r < 3; r++) {
            double t0 = now_ms();
            for (int i = 0; i < rounds; i++)
                stop_worker(start_worker(i));
            runs[r] = now_ms() - t0;
        }
        report("worker start to Hello, Shutdown, exit", runs, rounds);
    } else if (strcmp(argv[1], "hold") == 0) {
        struct started *all = calloc(rounds, sizeof *all);
        for (int i = 0; i < rounds; i++)
            all[i] = start_worker(i);
        usleep(200 * 1000); /* let each settle into its wait */
        long pss = 0, dirty = 0, rss = 0, threads = 0;
        for (int i = 0; i < rounds; i++) {
            char path[64], text[4096];
            snprintf(path, sizeof path, "/proc/%d/smaps_rollup", all[i].pid);
            FILE *f = fopen(path, "r");
            size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
            text[n] = 0;
            if (f)
                fclose(f);
            pss += field(text, "\nPss:");
            rss += field(text, "\nRss:");
            dirty += field(text, "\nPrivate_Dirty:");
            snprintf(path, sizeof path, "/proc/%d/status", all[i].pid);
            f = fopen(path, "r");
            n = f ? fread(text, 1, sizeof text - 1, f) : 0;
            text[n] = 0;
            if (f)
                fclose(f);
            threads += field(text, "\nThreads:");
        }
        printf("%d idle workers: per worker Pss %.0f KiB, Private_Dirty %.0f KiB, Rss %.0f KiB, threads %.1f\n",
               rounds, (double)pss / rounds, (double)dirty / rounds, (double)rss / rounds, (double)threads / rounds);
        if (getenv("SPAWN_FLOOR_PAUSE")) {
            printf("first worker pid %d; press Enter to stop them\n", all[0].pid);
            getchar();
        }
        for (int i = 0; i < rounds; i++)
            stop_worker(all[i]);
    } else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    rmdir(dir);
    return 0;
}
