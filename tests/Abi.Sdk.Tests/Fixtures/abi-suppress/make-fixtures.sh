#!/usr/bin/env bash
# Rebuilds the pair of the type-level suppression tests (tests/Abi.Sdk.Tests/Abi/TypeSuppressionTests.cs): v1.c and
# v2.c, each function reaching one type that changes in one way, built with gcc -g -O0 (DWARF 5) into v1.so and
# v2.so (S, P and T are declared in sup-a.h, M and U in include/sup-b.h, for source_location_not_in/_regexp), and
# with -gdwarf-4 into dw4-v1.so and dw4-v2.so (DWARF 4 line tables); cxx-v1.cc and cxx-v2.cc (references, member
# functions) with g++ into cxx-v1.so and cxx-v2.so. DWARF packages (TypeDeclarationFileTests): v1.c and pkg.c with
# -gsplit-dwarf, their .dwo files joined into NAME.dwp: by binutils' dwp from gcc's DWARF 4 (pkg4.so; a version 2
# index whose DW_SECT_LINE column locates each unit's .debug_line.dwo table) and by llvm-dwp from clang's DWARF 5
# (pkg5.so; clang writes no .debug_line.dwo, so the units use their skeletons' tables; llvm-dwp 14 loops on gcc 12's
# DWARF 5 .dwo files with DW_FORM_implicit_const, binutils' dwp cannot read them); and the same two units without
# split DWARF (pkg4-plain.so, pkg5-plain.so) for abidw, which reads no .dwo or .dwp. No C runtime
# is linked, so each output is a few KB; the build folder is mapped to '.' in the DWARF. Rerun after editing a
# source, and commit the outputs.
set -euo pipefail
cd "$(dirname "$0")"
flags=(-fdebug-prefix-map="$PWD"=. -shared -fPIC -nostdlib -O0 -fno-asynchronous-unwind-tables -Wl,--build-id -Wl,-z,max-page-size=4096 -Wl,-z,norelro)
for v in v1 v2; do
  gcc -g "${flags[@]}" -Wl,-soname,libsup.so.1 -o "$v.so" "$v.c"
  gcc -gdwarf-4 "${flags[@]}" -Wl,-soname,libsup.so.1 -o "dw4-$v.so" "$v.c"
  g++ -g -fno-rtti -fno-exceptions "${flags[@]}" -Wl,-soname,libsupxx.so.1 -o "cxx-$v.so" "cxx-$v.cc"
done

gcc -gdwarf-4 -gsplit-dwarf "${flags[@]}" -o pkg4.so v1.c pkg.c
gcc -gdwarf-4 "${flags[@]}" -o pkg4-plain.so v1.c pkg.c
timeout 60 dwp -e pkg4.so -o pkg4.so.dwp
clang-14 -gdwarf-5 -gsplit-dwarf "${flags[@]}" -o pkg5.so v1.c pkg.c
clang-14 -gdwarf-5 "${flags[@]}" -o pkg5-plain.so v1.c pkg.c
timeout 60 llvm-dwp -e pkg5.so -o pkg5.so.dwp
rm -f pkg4.so-*.dwo v1.dwo pkg.dwo
