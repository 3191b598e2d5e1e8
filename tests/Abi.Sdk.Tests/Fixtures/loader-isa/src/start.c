/* A program with no C library at all (its own _start, exit by system call), so loaders of any glibc release can run
   it: it needs LIBRARY_FUNCTION from its one dependency and exits with 0 when that returns EXPECTED. */
int LIBRARY_FUNCTION(void);

__attribute__((noreturn)) void _start(void)
{
    long status = LIBRARY_FUNCTION() == EXPECTED ? 0 : LIBRARY_FUNCTION();
    __asm__ volatile("syscall" : : "a"(60L), "D"(status) : "rcx", "r11", "memory");
    __builtin_unreachable();
}
