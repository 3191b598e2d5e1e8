/* libversioned.so: a small library exercising what GNU symbol versioning and the dynamic loader offer.
 * Versions (versioned.map): VERS_1.0 <- VERS_1.1 <- VERS_2.0 <- VERS_2.1 (empty, so ld marks it WEAK), plus
 * VERS_PRIVATE (no predecessor). */
#include <stdio.h>
#include <string.h>

/* frob has two implementations: frob@VERS_1.0 (hidden, kept for old binaries) and frob@@VERS_2.0 (default). */
int frob_v1(int x) { return x + 1; }
int frob_v2(int x, int y) { return x + y; }
__asm__(".symver frob_v1, frob@VERS_1.0");
__asm__(".symver frob_v2, frob@@VERS_2.0");

/* Data: an object with a size, a TLS variable. */
int widget_count = 3;
__thread int tls_counter;

/* Protected visibility: exported, but references inside the library bind locally. */
__attribute__((visibility("protected"))) int protected_api(void) { return widget_count; }

/* A weak definition. */
__attribute__((weak)) int weak_hook(void) { return 0; }

/* An indirect function (STT_GNU_IFUNC) and its resolver. */
static int hash_generic(const char *s) { return (int)strlen(s); }
static int (*resolve_fast_hash(void))(const char *) { return hash_generic; }
int fast_hash(const char *s) __attribute__((ifunc("resolve_fast_hash")));

/* A gadget in VERS_1.1, a newer API in VERS_2.0, a private helper. */
int gadget(void) { return 42; }
int newer_api(void) { return 2; }
int private_helper(void) { return -1; }

/* Calls into glibc so that the library requires versions from libc.so.6. */
int report(const char *what) { char buf[32]; memcpy(buf, "n=", 3); return printf("%s%s %d\n", buf, what, tls_counter); }

/* A GNU_UNIQUE object, as g++ emits for static data members of inline templates. */
__asm__(".section .data.unique_counter,\"awG\",@progbits,unique_counter,comdat\n"
        ".globl unique_counter\n.type unique_counter, @gnu_unique_object\n.size unique_counter, 4\n"
        "unique_counter: .long 7\n.previous");
