#!/usr/bin/env bash
# Builds the fixtures of ObjectAcceptanceTests: per architecture a program that needs libanswer.so, searched in
# $ORIGIN/first then $ORIGIN/second (DT_RPATH), and copies of libanswer.so the loader must take, skip or refuse.
# The tests lay them out in a temporary folder and compare the SDK's verdict with the real loader's (natively, or
# under qemu-user with the cross C libraries as sysroot). Needs gcc and the cross compilers gcc-arm-linux-gnueabihf,
# gcc-arm-linux-gnueabi, gcc-aarch64-linux-gnu, gcc-riscv64-linux-gnu, gcc-mips64el-linux-gnuabi64 and the
# libc6-*-cross packages (the programs link against the sysroot's libc.so.6 directly: no libc6-dev-*-cross needed).
set -euo pipefail
cd "$(dirname "$0")"
rpath='-Wl,-rpath,$ORIGIN/first:$ORIGIN/second,--disable-new-dtags'
small="-Wl,--build-id=none -Wl,-z,max-page-size=4096 -Wl,-z,noseparate-code"
lib() { "$1" -nostdlib -shared -fPIC -Wl,-soname,libanswer.so $small "${@:3}" -o "$2" answer.c; }
program() { # CC OUT SYSROOT-LIBC INTERP [FLAGS]
  "$1" -nostdlib -nostartfiles -Wl,-e,_start $small "$rpath" -o "$2" start.c "${@:5}" -L"$(dirname "$2")" -lanswer "$3" -Wl,-dynamic-linker,"$4"
}
osabi() { cp "$1" "$2"; printf "\\x$(printf %02x "$3")" | dd of="$2" bs=1 seek=7 conv=notrunc status=none; }
abiversion() { osabi "$1" "$2" "$3"; printf "\\x$(printf %02x "$4")" | dd of="$2" bs=1 seek=8 conv=notrunc status=none; }

rm -rf x86_64 arm riscv64 mips64el
mkdir -p x86_64 arm riscv64 mips64el

# x86-64, run natively (glibc 2.36) and with Debian 11's loader (glibc 2.31) under qemu-x86_64.
lib gcc x86_64/libanswer.so
program gcc x86_64/main /lib/x86_64-linux-gnu/libc.so.6 /lib64/ld-linux-x86-64.so.2
lib gcc x86_64/elf32.so -m32
lib gcc x86_64/abi-tag.so abi-tag.S
head -c 200 x86_64/libanswer.so > x86_64/truncated.so
seq 1 40 > x86_64/text.so                      # longer than an ELF header: "invalid ELF header"
echo 'INPUT(-lanswer)' > x86_64/short-text.so   # a linker script, shorter than a header: "file too short"
osabi x86_64/libanswer.so x86_64/osabi-freebsd.so 9
abiversion x86_64/libanswer.so x86_64/abiversion-5.so 3 5
abiversion x86_64/libanswer.so x86_64/abiversion-3.so 3 3   # below LIBC_ABI_MAX (4 on x86-64): accepted
abiversion x86_64/libanswer.so x86_64/abiversion-4.so 3 4   # LIBC_ABI_MAX itself: refused
gcc $small -o x86_64/pie.so start.c -nostartfiles -Wl,-e,_start -pie -fPIE -Lx86_64 -lanswer /lib/x86_64-linux-gnu/libc.so.6
gcc $small -o x86_64/exec.so start.c -nostartfiles -Wl,-e,_start -no-pie -Lx86_64 -lanswer /lib/x86_64-linux-gnu/libc.so.6
gcc -c -o x86_64/relocatable.so answer.c
# A program whose PT_INTERP is a long placeholder: the tests write the path of an interpreter of their own into a copy.
program gcc x86_64/interp-main /lib/x86_64-linux-gnu/libc.so.6 "/$(printf 'abi-sdk-interpreter-placeholder/%.0s' 1 2 3 4 5 6)ld.so"

# ARM: a hard-float program (so the hard-float loader) and libraries of the other float ABI, of AArch64, and with
# an OS ABI or ABI version the loader refuses.
lib arm-linux-gnueabihf-gcc arm/libanswer.so
program arm-linux-gnueabihf-gcc arm/main /usr/arm-linux-gnueabihf/lib/libc.so.6 /lib/ld-linux-armhf.so.3
lib arm-linux-gnueabi-gcc arm/soft-float.so
lib aarch64-linux-gnu-gcc arm/aarch64.so
osabi arm/libanswer.so arm/osabi-freebsd.so 9
abiversion arm/libanswer.so arm/abiversion-5.so 3 5
abiversion arm/libanswer.so arm/abiversion-2.so 3 2        # below LIBC_ABI_MAX (3 on ARM): accepted
abiversion arm/libanswer.so arm/abiversion-3.so 3 3        # refused

# RISC-V: the lp64d program's loader and a soft-float (lp64) library.
lib riscv64-linux-gnu-gcc riscv64/libanswer.so
program riscv64-linux-gnu-gcc riscv64/main /usr/riscv64-linux-gnu/lib/libc.so.6 /lib/ld-linux-riscv64-lp64d.so.1
lib riscv64-linux-gnu-gcc riscv64/soft-float.so -march=rv64imac -mabi=lp64

# MIPS64 (n64, legacy NaN): a library built for the 2008 NaN encoding.
lib mips64el-linux-gnuabi64-gcc mips64el/libanswer.so
program mips64el-linux-gnuabi64-gcc mips64el/main /usr/mips64el-linux-gnuabi64/lib/libc.so.6 /lib64/ld.so.1
lib mips64el-linux-gnuabi64-gcc mips64el/nan2008.so -mnan=2008
# ... and a soft-float one (PT_MIPS_ABIFLAGS fp_abi soft), which shares no FPU mode with the double-float program.
lib mips64el-linux-gnuabi64-gcc mips64el/soft-float.so -msoft-float
