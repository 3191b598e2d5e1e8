#!/usr/bin/env bash
# Rebuilds the fixtures of the type graph's raw-duplicate confirmation (tests/Abi.Sdk.Tests/Abi/TypeGraphRawDuplicateTests.cs):
# three C units declaring the same types (types.h), c.c with a different 'word' behind byte-identical struct holder
# DIEs; built with gcc -g (DWARF 5) and -gdwarf-4, then the DWARF 5 one rewritten by dwz alone (partial units,
# DW_FORM_ref_addr into another unit) and by dwz -m with a second copy (DW_FORM_GNU_ref_alt/strp_alt into a common
# file named by .gnu_debugaltlink). No C runtime is linked, so each output is a few KB. Needs gcc and dwz.
set -euo pipefail
cd "$(dirname "$0")"
flags=(-fdebug-prefix-map="$PWD"=. -shared -fPIC -nostdlib -O0 -fno-asynchronous-unwind-tables -Wl,--build-id -Wl,-z,max-page-size=4096 -Wl,-z,norelro)
gcc -g "${flags[@]}" -o raw-dwarf5.so a.c b.c c.c
gcc -gdwarf-4 "${flags[@]}" -o raw-dwarf4.so a.c b.c c.c
cp raw-dwarf5.so raw-dwz.so
dwz raw-dwz.so
gcc -g "${flags[@]}" -o raw-dwz-m1.so a.c b.c c.c
gcc -g "${flags[@]}" -o raw-dwz-m2.so b.c a.c
dwz -m raw-dwz-common.debug -M raw-dwz-common.debug raw-dwz-m1.so raw-dwz-m2.so
