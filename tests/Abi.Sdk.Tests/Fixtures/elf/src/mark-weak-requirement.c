/* mark-weak-requirement FILE VERSION: sets VER_FLG_WEAK on every Elf_Vernaux named VERSION in FILE's
 * .gnu.version_r, in place. GNU ld copies vna_flags from the definition it linked against and so almost never
 * writes a weak requirement itself; ld.so still honours one (a missing weak version is not fatal), so the
 * fixtures carry one made by this tool. Handles ELF32/ELF64, either byte order; needs section headers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int big, wide;
static uint64_t get(const unsigned char *p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++) v |= (uint64_t)p[big ? n - 1 - i : i] << (8 * i);
  return v;
}
static void put(unsigned char *p, int n, uint64_t v) {
  for (int i = 0; i < n; i++) p[big ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: %s FILE VERSION\n", argv[0]); return 2; }
  FILE *f = fopen(argv[1], "r+b");
  if (!f) { perror(argv[1]); return 1; }
  fseek(f, 0, SEEK_END); long size = ftell(f); fseek(f, 0, SEEK_SET);
  unsigned char *d = malloc(size);
  if (fread(d, 1, size, f) != (size_t)size) { perror("read"); return 1; }
  wide = d[4] == 2; big = d[5] == 2;
  int w = wide ? 8 : 4, p = 24 + 3 * w;
  uint64_t shoff = get(d + 24 + 2 * w, w);
  unsigned shentsize = get(d + p + 10, 2), shnum = get(d + p + 12, 2);
  int marked = 0;
  for (unsigned i = 0; i < shnum; i++) {
    const unsigned char *sh = d + shoff + (uint64_t)i * shentsize;
    if (get(sh + 4, 4) != 0x6ffffffe) continue; /* SHT_GNU_verneed */
    uint64_t off = wide ? get(sh + 24, 8) : get(sh + 16, 4);
    unsigned link = get(sh + (wide ? 40 : 24), 4), count = get(sh + (wide ? 44 : 28), 4);
    const unsigned char *str = d + shoff + (uint64_t)link * shentsize;
    uint64_t stroff = wide ? get(str + 24, 8) : get(str + 16, 4);
    for (unsigned n = 0; n < count; n++) {
      unsigned cnt = get(d + off + 2, 2);
      uint64_t aux = off + get(d + off + 8, 4);
      for (unsigned a = 0; a < cnt; a++) {
        if (strcmp((const char *)d + stroff + get(d + aux + 8, 4), argv[2]) == 0) {
          put(d + aux + 4, 2, get(d + aux + 4, 2) | 0x2); /* VER_FLG_WEAK */
          marked++;
        }
        aux += get(d + aux + 12, 4);
      }
      off += get(d + off + 12, 4);
    }
  }
  if (!marked) { fprintf(stderr, "%s: no requirement named %s\n", argv[1], argv[2]); return 1; }
  fseek(f, 0, SEEK_SET);
  if (fwrite(d, 1, size, f) != (size_t)size) { perror("write"); return 1; }
  fclose(f);
  return 0;
}
