#!/usr/bin/env bash
# Builds the DWARF reader's fixtures from the sources here; the outputs are committed (run again after changing a
# source). Each is compared with eu-readelf --debug-dump=info by the tests (tests/Abi.Sdk.Tests/Dwarf).
# Needs gcc, g++, clang-14, dwz, llvm-dwp (llvm-14), dwp (binutils), objcopy (binutils >= 2.40 for zstd) and, for the big-endian one, s390x-linux-gnu-gcc.
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
# No build path in the committed DWARF: comp_dir and file names are relative.
map="-fdebug-prefix-map=$here=."
cc() { gcc $map -shared -fPIC "$@"; }
cxx() { g++ $map -shared -fPIC "$@"; }

# C: each DWARF version gcc 12 writes, -O0 and -O2 (location lists, inlining), 64-bit DWARF.
cc -g -O0 -o c-dwarf5-O0.so types.c
cc -g -O2 -o c-dwarf5-O2.so types.c
cc -gdwarf-4 -O0 -o c-dwarf4-O0.so types.c
cc -gdwarf-4 -O2 -o c-dwarf4-O2.so types.c
cc -gdwarf-3 -O0 -o c-dwarf3-O0.so types.c
cc -gdwarf-2 -O0 -o c-dwarf2-O0.so types.c
cc -g -gdwarf64 -O0 -o c-dwarf5-64bit.so types.c
cc -gdwarf-4 -gdwarf64 -O2 -o c-dwarf4-64bit.so types.c

# C++: classes, templates, virtual functions; type units in .debug_info (DWARF 5) and .debug_types (DWARF 4).
cxx -g -O0 -o cc-dwarf5-O0.so shapes.cc
cxx -g -O2 -o cc-dwarf5-O2.so shapes.cc
cxx -gdwarf-4 -O2 -o cc-dwarf4-O2.so shapes.cc
cxx -g -fdebug-types-section -O0 -o cc-dwarf5-types.so shapes.cc other.cc
cxx -gdwarf-4 -fdebug-types-section -O0 -o cc-dwarf4-types.so shapes.cc other.cc

# clang writes DW_FORM_strx1, DW_FORM_addrx and .debug_str_offsets/.debug_addr that gcc does not.
if command -v clang-14 >/dev/null; then
  clang-14 $map -shared -fPIC -g -O1 -o c-clang-dwarf5.so types.c
  clang-14 $map -shared -fPIC -gdwarf-4 -O0 -o c-clang-dwarf4.so types.c
fi

# Split DWARF: a skeleton unit in the library (DW_UT_skeleton, addr_base), the split unit in a .dwo beside it.
cc -g -gsplit-dwarf -O2 -o c-split-dwarf5.so types.c
# GNU split DWARF (DWARF 4): DW_AT_GNU_dwo_name/GNU_dwo_id/GNU_addr_base, DW_FORM_GNU_addr_index/GNU_str_index.
cc -gdwarf-4 -gsplit-dwarf -O2 -o c-split-dwarf4.so types.c
# DWARF packages: two units each (and type units in .debug_types.dwo for DWARF 4), their .dwo files joined by a
# packager into NAME.dwp with a unit index: llvm-dwp for DWARF 5 (version 5 index; binutils 2.40's dwp cannot read
# DWARF 5 .dwo files), binutils' dwp for DWARF 4 (the GNU version 2 index). The .dwo files are kept in their own
# folders (dwo5/, dwo4/): the tests read each unit from its .dwo and from the package and compare.
# (llvm-dwp 14 loops forever on g++'s DWARF 5 .dwo files, so the DWARF 5 package is of C units.)
cc -g -gsplit-dwarf -O2 -o c-dwp5.so types.c more.c
# The same units without split DWARF, for abidw (which reads no .dwp): the declaration files of the package's units.
cc -g -O2 -o c-dwp5-plain.so types.c more.c
cxx -gdwarf-4 -gsplit-dwarf -O2 -o cc-dwp4.so shapes.cc other.cc
rm -rf dwo5 dwo4 && mkdir dwo5 dwo4
timeout 60 llvm-dwp -e c-dwp5.so -o c-dwp5.so.dwp
timeout 60 dwp -e cc-dwp4.so -o cc-dwp4.so.dwp
mv c-dwp5.so-*.dwo dwo5/ && mv cc-dwp4.so-*.dwo dwo4/
# With type units: each .dwo holds one .debug_types.dwo section per type (COMDAT groups), which the reader does not
# join; the package merges them into one .debug_types.dwo listed by .debug_tu_index. Only the package is kept.
cxx -gdwarf-4 -gsplit-dwarf -fdebug-types-section -O2 -o cc-dwp4-types.so shapes.cc other.cc
timeout 60 dwp -e cc-dwp4-types.so -o cc-dwp4-types.so.dwp
rm cc-dwp4-types.so-*.dwo

# dwz: a multifile shared by two libraries (DW_FORM_GNU_ref_alt, DW_FORM_GNU_strp_alt, .gnu_debugaltlink with a
# name relative to the libraries' folder), and one library compressed on its own (partial units, DW_TAG_imported_unit).
cxx -gdwarf-4 -O0 -o dwz-a.so shapes.cc
cxx -gdwarf-4 -O0 -o dwz-b.so shapes.cc other.cc
dwz -m dwz-common.debug -M dwz-common.debug dwz-a.so dwz-b.so
cxx -g -O0 -o dwz-single.so shapes.cc other.cc
dwz dwz-single.so || true

# Compressed debug sections: SHF_COMPRESSED with zlib and zstd, and legacy .zdebug_* (zlib-gnu).
objcopy --compress-debug-sections=zlib c-dwarf5-O2.so c-zlib.so
objcopy --compress-debug-sections=zstd c-dwarf5-O2.so c-zstd.so
objcopy --compress-debug-sections=zlib-gnu c-dwarf4-O2.so c-zdebug.so
objcopy --compress-debug-sections=zlib cc-dwarf5-O2.so cc-zlib.so

# Separate debug files: by .gnu_debuglink (next to the library) and by build-id (under a debug root).
cc -g -O2 -Wl,--build-id -o split.so types.c
objcopy --only-keep-debug split.so split.so.debug
objcopy --strip-debug --add-gnu-debuglink=split.so.debug split.so split-stripped.so
rm split.so
cc -g -O2 -Wl,--build-id=sha1 -o byid.so types.c
id=$(readelf -n byid.so | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
rm -rf debugroot && mkdir -p "debugroot/.build-id/${id:0:2}"
objcopy --only-keep-debug --compress-debug-sections=zstd byid.so "debugroot/.build-id/${id:0:2}/${id:2}.debug"
objcopy --strip-debug byid.so byid-stripped.so
rm byid.so

# Big-endian: s390x (no C library for the target here: -nostdlib; the sources call none of it).
if command -v s390x-linux-gnu-gcc >/dev/null; then
  s390x-linux-gnu-gcc $map -shared -fPIC -nostdlib -g -O2 -o c-s390x-dwarf5.so types.c
  s390x-linux-gnu-gcc $map -shared -fPIC -nostdlib -gdwarf-4 -O0 -o c-s390x-dwarf4.so types.c
fi

# Only the debugging information matters: strip nothing else, but keep the files small.
ls -l *.so *.debug *.dwo *.dwp dwo5/* dwo4/* debugroot/.build-id/*/*.debug | awk '{ s += $5 } END { print NR " files, " s " bytes" }'
