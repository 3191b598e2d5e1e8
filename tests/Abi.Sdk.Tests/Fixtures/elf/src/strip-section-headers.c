/* strip-section-headers IN OUT: what `strip --strip-section-headers` (binutils >= 2.41) does, for older binutils.
 * Drops the section header table (e_shoff, e_shnum, e_shstrndx = 0) and cuts the file after the last byte any
 * program header covers, so that a reader can only find .dynsym, .dynstr and the version tables through
 * PT_DYNAMIC and DT_HASH / DT_GNU_HASH, as the dynamic loader does. Handles ELF32/ELF64, either byte order. */
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
  if (argc != 3) { fprintf(stderr, "usage: %s IN OUT\n", argv[0]); return 2; }
  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror(argv[1]); return 1; }
  fseek(f, 0, SEEK_END); long size = ftell(f); fseek(f, 0, SEEK_SET);
  unsigned char *d = malloc(size);
  if (fread(d, 1, size, f) != (size_t)size) { perror("read"); return 1; }
  fclose(f);
  if (size < 64 || memcmp(d, "\177ELF", 4) != 0) { fprintf(stderr, "not ELF\n"); return 1; }
  wide = d[4] == 2; big = d[5] == 2;
  int w = wide ? 8 : 4, p = 24 + 3 * w;
  uint64_t phoff = get(d + 24 + w, w);
  unsigned phentsize = get(d + p + 6, 2), phnum = get(d + p + 8, 2);
  uint64_t end = phoff + (uint64_t)phentsize * phnum;
  for (unsigned i = 0; i < phnum; i++) {
    const unsigned char *ph = d + phoff + (uint64_t)i * phentsize;
    uint64_t off = wide ? get(ph + 8, 8) : get(ph + 4, 4), filesz = wide ? get(ph + 32, 8) : get(ph + 16, 4);
    if (off + filesz > end) end = off + filesz;
  }
  put(d + 24 + 2 * w, w, 0);   /* e_shoff */
  put(d + p + 10, 2, 0);       /* e_shentsize */
  put(d + p + 12, 2, 0);       /* e_shnum */
  put(d + p + 14, 2, 0);       /* e_shstrndx */
  f = fopen(argv[2], "wb");
  if (!f || fwrite(d, 1, end, f) != end) { perror(argv[2]); return 1; }
  fclose(f);
  return 0;
}
