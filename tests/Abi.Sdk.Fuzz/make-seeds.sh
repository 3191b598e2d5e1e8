#!/usr/bin/env bash
# Rebuilds seeds/TARGET from the test fixtures (tiny files only) and a few hand-written inputs.
# Needs python3 and a built abi CLI (dotnet build src/Abi.Cli -c Release) for the baseline seeds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
fx="$here/../Abi.Sdk.Tests/Fixtures"
seeds="$here/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"/{dwarf,elf,rpm,rpm-header,cpio,repomd,primary,abixml,baseline,suppression,settings}

# ELF: 64/32-bit, big-endian, without section headers, a separate debug file, an executable.
for f in elf/libversioned.so elf/libversioned-i686.so elf/libversioned-s390x.so elf/libversioned-noshdr.so \
         elf/libversioned-sysv-noshdr.so elf/libversioned.so.debug elf/app compat/out/apps/app_weakver; do
  cp "$fx/$f" "$seeds/elf/$(basename "$f")"
done

# DWARF: versions 2, 4, 5, 64-bit DWARF, big-endian, type units (.debug_types and DW_UT_type), clang's strx/addrx,
# a dwz multifile, zlib, zstd and .zdebug compressed sections, and split DWARF (a GNU DWARF 4 .dwo, DWARF packages
# with a version 5 and a version 2 unit index).
for f in c-dwarf2-O0.so c-dwarf4-O2.so c-dwarf5-O0.so c-dwarf5-64bit.so c-s390x-dwarf5.so cc-dwarf4-types.so \
         cc-dwarf5-types.so c-clang-dwarf5.so dwz-common.debug c-zlib.so c-zstd.so c-zdebug.so \
         c-split-dwarf4.so-types.dwo c-dwp5.so.dwp cc-dwp4-types.so.dwp; do
  cp "$fx/dwarf/$f" "$seeds/dwarf/$f"
done

# Packages: every payload compression, a source package, rich dependencies.
for f in rpm/abi-deps-1.2~rc1^git5-1.noarch.rpm rpm/abi-deps-1.2~rc1^git5-1.src.rpm rpm/abi-files-gzip-1.0-1.x86_64.rpm \
         rpm/abi-files-zstd-1.0-1.x86_64.rpm rpm/abi-files-xz-1.0-1.x86_64.rpm rpm/abi-files-bzip2-1.0-1.x86_64.rpm \
         rpm/abi-files-lzma-1.0-1.x86_64.rpm repo/rpms/app-rich-ok-1.0-1.noarch.rpm repo/rpms/libfoo-1.0-1.noarch.rpm; do
  cp "$fx/$f" "$seeds/rpm/$(basename "$f" | tr '~^' '__')"
done

# Header and cpio seeds cut out of packages: lead (96 bytes), signature header (padded to 8), header, payload.
python3 - "$fx" "$seeds" <<'PY'
import struct, sys
fx, seeds = sys.argv[1], sys.argv[2]
def split(path):
    b = open(path, 'rb').read()
    def header(at):
        il, dl = struct.unpack('>II', b[at + 8:at + 16])
        return at + 16 + 16 * il + dl
    sig_end = header(96)
    main_at = (sig_end + 7) & ~7
    main_end = header(main_at)
    return b[96:sig_end], b[main_at:main_end], b[main_end:]
for name in ['abi-deps-1.2~rc1^git5-1.noarch', 'abi-files-none-1.0-1.x86_64']:
    sig, main, payload = split(f'{fx}/rpm/{name}.rpm')
    short = name.split('-1')[0]
    open(f'{seeds}/rpm-header/{short}.sig', 'wb').write(b'\x01' + sig)   # first byte 1: signature limits
    open(f'{seeds}/rpm-header/{short}.hdr', 'wb').write(b'\x00' + main)
    if name.startswith('abi-files-none'):
        open(f'{seeds}/cpio/abi-files-none.cpio', 'wb').write(payload)
PY
# A small newc archive with a symlink, a hard-linked pair and a directory.
tmp=$(mktemp -d)
(cd "$tmp" && mkdir -p d && echo hello > d/a && ln d/a d/b && ln -s a d/l && printf '%s\n' d d/a d/b d/l | cpio -o -H newc --quiet > "$seeds/cpio/links.cpio")
rm -rf "$tmp"

cp "$fx/repo/repodata/repomd.xml" "$seeds/repomd/"
cp "$fx/repo/repodata/primary.xml.gz" "$seeds/primary/"
gzip -dc "$fx/repo/repodata/primary.xml.gz" > "$seeds/primary/primary.xml"

cat > "$seeds/abixml/lib.abi" <<'XML'
<abi-corpus version='2.1' path='libfix.so' architecture='elf-amd-x86_64' soname='libfix.so.1'>
  <elf-needed>
    <dependency name='libc.so.6'/>
  </elf-needed>
  <elf-function-symbols>
    <elf-symbol name='bar' version='LIBFIX_1.0' is-default-version='yes' type='func-type' binding='global-binding' visibility='default-visibility' is-defined='yes'/>
    <elf-symbol name='foo' version='LIBFIX_1.0' type='func-type' binding='weak-binding' visibility='protected-visibility' is-defined='yes' alias='foo_alias,foo2'/>
    <elf-symbol name='ifn' type='gnu-ifunc-type' binding='gnu-unique-binding' visibility='default-visibility' is-defined='no'/>
  </elf-function-symbols>
  <elf-variable-symbols>
    <elf-symbol name='table' size='64' type='object-type' binding='global-binding' visibility='default-visibility' is-defined='yes'/>
    <elf-symbol name='tls' size='8' type='tls-type' binding='global-binding' visibility='default-visibility' is-defined='yes'/>
  </elf-variable-symbols>
  <abi-instr address-size='64' path='fix.c' language='LANG_C11'>
    <type-decl name='int' size-in-bits='32' id='type-id-1'/>
  </abi-instr>
</abi-corpus>
XML
cat > "$seeds/abixml/group.abi" <<'XML'
<?xml version='1.0' encoding='utf-8'?>
<abi-corpus-group architecture='elf-arm'>
<abi-corpus path='a.so' soname='a.so'><elf-variable-symbols><elf-symbol name='v' size='4' type='common-type' binding='global-binding' visibility='default-visibility' is-defined='yes'/></elf-variable-symbols></abi-corpus>
</abi-corpus-group>
XML

abi="${ABI:-$here/../../src/Abi.Cli/bin/Release/net10.0/abi}"
for f in elf/libversioned.so elf/libversioned-s390x.so abi/symbol-moved/v2.so; do
  "$abi" abi dump "$fx/$f" -o "$seeds/baseline/$(echo "$f" | tr '/' '_').json"
done
# Format 2 with a type graph (C++: members, bases of the vtable pointer, virtual functions), and abidw's ABIXML with types.
"$abi" abi dump "$fx/abi-types/vtable-changed/v1.so" -o "$seeds/baseline/types_vtable-changed_v1.so.json"
if command -v abidw > /dev/null; then
  abidw --no-show-locs --no-corpus-path --out-file "$seeds/abixml/types-cycle.abi" "$fx/abi-types/cycle/v1.so"
  abidw --no-show-locs --no-corpus-path --out-file "$seeds/abixml/types-vtable.abi" "$fx/abi-types/vtable-changed/v1.so"
fi

printf '[suppress_function]\n  symbol_name = bar\n  change_kind = deleted-function,added-function\n  symbol_version = V1\n' > "$seeds/suppression/function.suppr"
printf '# comment\n; another\n[suppress_variable]\n  label = " padded "\n  symbol_name_regexp = ^table$\n  drop = yes\n\n[suppress_file]\n  file_name_regexp = libfix\\.so\n  soname_not_regexp = ^libc\\.\n' > "$seeds/suppression/mixed.suppr"
printf '[suppress_function]\n  name_regexp = ^b\n  symbol_name_not_regexp = ^foo$\n  soname_regexp = ^libfix\\.so\n  symbol_version_regexp = ^LIBFIX_2\n[suppress_type]\n  name = t\n' > "$seeds/suppression/regexps.suppr"

printf '{ "diagnostics": { "ABI1003": "none", "ABI1006": "incompatible" } }\n' > "$seeds/settings/severities.json"
printf '{"diagnostics":{"ABI1001":"compatible","ABI2001":"warning"}}' > "$seeds/settings/compact.json"
du -sh "$seeds"

# OpenPGP keys and signed packages (gpg, rpmsign).
"$here/make-openpgp-seeds.sh"
