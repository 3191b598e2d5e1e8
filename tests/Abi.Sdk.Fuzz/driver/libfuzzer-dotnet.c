// A libFuzzer engine for .NET targets run by SharpFuzz's Fuzzer.LibFuzzer.Run, written for this repository
// (fuzz.sh builds it with: clang -fsanitize=fuzzer -O2 libfuzzer-dotnet.c).
//
// libFuzzer runs in this process; the .NET target runs as a persistent child. They share one System V segment:
// the first 64 KiB are the edge counters the sharpfuzz-instrumented assembly writes, the next 1 MiB the input.
// Per input this process writes the input's length (int32) on the control pipe and reads a status (int32, non-zero
// when the target threw) from the status pipe, then hands the counters to libFuzzer as extra counters.
// Usage: libfuzzer-dotnet --target_path=EXE [--target_arg=ARG] [libFuzzer flags] [corpus dirs]
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <unistd.h>

#define COUNTERS_SIZE (1 << 16)
#define INPUT_SIZE (1 << 20)

// libFuzzer reads every byte of this section as a coverage counter.
__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t counters[COUNTERS_SIZE];

static uint8_t *shared;
static int control_fd = -1;
static int status_fd = -1;

static void fail(const char *what)
{
    fprintf(stderr, "libfuzzer-dotnet: %s: %s\n", what, errno ? strerror(errno) : "unexpected end of stream");
    exit(1);
}

static const char *flag(int argc, char **argv, const char *name)
{
    size_t n = strlen(name);
    for (int i = 1; i < argc; i++)
    {
        if (strncmp(argv[i], name, n) == 0 && argv[i][n] == '=' && argv[i][n + 1] != '\0')
        {
            return argv[i] + n + 1;
        }
    }
    return NULL;
}

// Reads (writing == 0) or writes all of buffer; -1 on error or end of stream.
static int transfer(int fd, void *buffer, size_t size, int writing)
{
    size_t done = 0;
    while (done < size)
    {
        uint8_t *at = (uint8_t *)buffer + done;
        ssize_t n = writing ? write(fd, at, size - done) : read(fd, at, size - done);
        if (n < 0 && errno == EINTR)
        {
            continue;
        }
        if (n <= 0)
        {
            return -1;
        }
        done += (size_t)n;
    }
    return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *path = flag(*argc, *argv, "--target_path");
    const char *arg = flag(*argc, *argv, "--target_arg");
    if (path == NULL)
    {
        fprintf(stderr, "libfuzzer-dotnet: pass the .NET target as --target_path=EXE [--target_arg=ARG]\n");
        exit(1);
    }

    int id = shmget(IPC_PRIVATE, COUNTERS_SIZE + INPUT_SIZE, IPC_CREAT | IPC_EXCL | 0600);
    if (id < 0)
    {
        fail("shmget");
    }
    shared = shmat(id, NULL, 0);
    if (shared == (void *)-1)
    {
        fail("shmat");
    }

    int control[2], status[2];
    if (pipe(control) != 0 || pipe(status) != 0)
    {
        fail("pipe");
    }

    char text[32];
    snprintf(text, sizeof text, "%d", id);
    setenv("__LIBFUZZER_SHM_ID", text, 1);
    snprintf(text, sizeof text, "%d", control[0]);
    setenv("__LIBFUZZER_CONTROL_PIPE_ID", text, 1);
    snprintf(text, sizeof text, "%d", status[1]);
    setenv("__LIBFUZZER_STATUS_PIPE_ID", text, 1);

    pid_t child = fork();
    if (child < 0)
    {
        fail("fork");
    }
    if (child == 0)
    {
        // The target must not outlive libFuzzer (a timeout or crash ends this process first).
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        close(control[1]);
        close(status[0]);
        char *child_argv[] = {(char *)path, (char *)arg, NULL};
        execvp(path, child_argv);
        fail("exec");
    }

    close(control[0]);
    close(status[1]);
    control_fd = control[1];
    status_fd = status[0];
    signal(SIGPIPE, SIG_IGN);

    int32_t ready;
    if (transfer(status_fd, &ready, sizeof ready, 0) != 0)
    {
        fail("waiting for the target to start");
    }
    // Both sides are attached now; the segment goes away with the last detach, even after a crash.
    shmctl(id, IPC_RMID, NULL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > INPUT_SIZE)
    {
        return 0; // Run with -max_len at most 1 MiB; longer inputs cannot be passed.
    }

    memset(shared, 0, COUNTERS_SIZE);
    memcpy(shared + COUNTERS_SIZE, data, size);
    int32_t length = (int32_t)size;
    int32_t status;
    if (transfer(control_fd, &length, sizeof length, 1) != 0 || transfer(status_fd, &status, sizeof status, 0) != 0)
    {
        // The target process died (stack overflow, fail-fast, out of memory): a crash.
        fprintf(stderr, "libfuzzer-dotnet: the .NET target process died\n");
        abort();
    }

    memcpy(counters, shared, COUNTERS_SIZE);
    if (status != 0)
    {
        abort(); // The target threw an exception it does not document; it printed it on stderr.
    }
    return 0;
}
