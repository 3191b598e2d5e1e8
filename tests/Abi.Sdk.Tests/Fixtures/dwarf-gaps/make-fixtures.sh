#!/usr/bin/env bash
# Reader gaps of issue 16, built by gcc 12 (the outputs are committed, a few KB each; rerun after changing a source):
#   gaps.d5.so / gaps.d4.so        -O2, DWARF 5 / 4 in the file: a hot/cold-split function (DW_AT_ranges in
#                                  .debug_rnglists / .debug_ranges) and a variable and a TLS variable, each exported
#                                  only under an alias, so that their DIEs are found by address
#   gaps.split5.so / gaps.split4.so  the same with -gsplit-dwarf (skeleton + gaps.splitN.so-gaps.dwo): DW_FORM_rnglistx,
#                                  DW_OP_addrx / DW_OP_constx (DWARF 5), DW_OP_GNU_addr_index / GNU_const_index and
#                                  DW_AT_GNU_ranges_base (DWARF 4)
#   types.so                       C++, -gsplit-dwarf -gdwarf-4 -fdebug-types-section: several .debug_types.dwo sections
#   pm.so                          C++ pointers to data members and member functions
#   loclist.so                     a variable located by DW_FORM_loclistx through .debug_loclists and
#                                  DW_AT_loclists_base: gcc writes none for a file-scope variable, so loclist.py
#                                  rewrites gcc's annotated assembly of loclist.c (python3)
#   split-v1.so / split-v2.so      a changed pair with -gsplit-dwarf (DWARF 5; split4-v1/v2.so: DWARF 4), each with its
#                                  .dwo, which the tests move away to check abi diff --dwo-dir; plain-v1/v2.so: the
#                                  same without split DWARF, for abidiff (2.2 does not read .dwo files)
# -fdebug-prefix-map: comp_dir is "." (the skeleton's .dwo is looked for next to the library), no build path.
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
map="-fdebug-prefix-map=$here=."
rm -f ./*.so ./*.dwo
gcc $map -shared -fPIC -O2 -g -o gaps.d5.so gaps.c
gcc $map -shared -fPIC -O2 -gdwarf-4 -o gaps.d4.so gaps.c
gcc $map -shared -fPIC -O2 -g -gsplit-dwarf -o gaps.split5.so gaps.c
gcc $map -shared -fPIC -O2 -gdwarf-4 -gsplit-dwarf -o gaps.split4.so gaps.c
g++ $map -shared -fPIC -O0 -gdwarf-4 -gsplit-dwarf -fdebug-types-section -o types.so types.cc
g++ $map -shared -fPIC -O0 -g -o pm.so pm.cc
gcc $map -S -fPIC -O0 -g -fno-asynchronous-unwind-tables -dA -o loclist.s loclist.c
python3 loclist.py loclist.s loclist.rewritten.s
gcc -shared -fPIC -nostdlib -Wl,--build-id -o loclist.so loclist.rewritten.s
rm -f loclist.s loclist.rewritten.s
for v in v1 v2; do
  gcc $map -shared -fPIC -O0 -g -gsplit-dwarf -nostdlib -Wl,--build-id -o split-$v.so split-$v.c
  gcc $map -shared -fPIC -O0 -gdwarf-4 -gsplit-dwarf -nostdlib -Wl,--build-id -o split4-$v.so split-$v.c
  gcc $map -shared -fPIC -O0 -g -nostdlib -Wl,--build-id -o plain-$v.so split-$v.c
done
ls -l ./*.so ./*.dwo
