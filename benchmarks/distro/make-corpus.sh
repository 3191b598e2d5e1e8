#!/usr/bin/env bash
# Builds a two-sided RPM "distribution" from this machine's own ELF files, for timing the distribution diff.
#
#   benchmarks/distro/make-corpus.sh OUTDIR [JOBS]
#
# OUTDIR/base/*.rpm     one package per shared-library SONAME of the multiarch library folder (installed under
#                       /usr/lib64 with its SONAME link) and one per owning Debian package of the ELF executables of
#                       /usr/bin (installed under /usr/bin).
# OUTDIR/rebuild/*.rpm  the same packages (hard links to the base files: a point release leaves most packages
#                       byte-identical) except the drifted ones listed in OUTDIR/drift.txt:
#                         upgraded  a library whose older SONAME is replaced by a newer one installed here
#                                   (libLLVM 14 -> 16, libtinfo 5 -> 6, boost_filesystem 1.74 -> 1.81, ...)
#                         rebuilt   same files, release bumped (new bytes, same ABI)
#                         removed   only in base
#                         added     only in rebuild
# Payloads alternate between zstd and xz by package; small packages use the distributions' levels (w19.zstdio,
# w6.xzdio), big ones low levels (w3.zstdio, w1.xzdio) so that the corpus builds in minutes on two cores.
# rpm's own dependency generators stay on: packages carry the Requires/Provides (sonames, symbol versions) a real
# distribution's packages carry. Debug info, build-id links and post-install processing are off (binary-only).
#
# Idempotent: a package whose .rpm exists is skipped; every .rpm is written under a temporary name and renamed.
set -euo pipefail

out=${1:?usage: make-corpus.sh OUTDIR [JOBS]}
jobs=${2:-2}
libdir=${ABI_CORPUS_LIBDIR:-/usr/lib/x86_64-linux-gnu}
bindir=${ABI_CORPUS_BINDIR:-/usr/bin}
mkdir -p "$out/base" "$out/rebuild" "$out/work/specs" "$out/work/lists"
out=$(cd "$out" && pwd)
work=$out/work

is_elf() { [ -f "$1" ] && [ ! -L "$1" ] && [ "$(head -c4 "$1" | od -An -c | tr -d ' ')" = '177ELF' ]; }

# --- 1. the package plan: NAME SIDE VERSION RELEASE then "src dst" lines in lists/NAME@SIDE ---
plan=$work/plan.txt
if [ ! -s "$plan" ]; then
  : > "$work/sonames.txt"
  for f in "$libdir"/*; do
    is_elf "$f" || continue
    s=$(readelf -d "$f" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
    [ -n "$s" ] || continue
    printf '%s %s\n' "$s" "$f" >> "$work/sonames.txt"
  done
  sort -o "$work/sonames.txt" "$work/sonames.txt"

  # Package name from the SONAME; version from the real file's name (libfoo.so.1.2.3 -> 1.2.3).
  stem() { sed -E 's/\.so(\..*)?$//; s/-[0-9][0-9.]*$//' <<<"$1"; }
  pkgname() { sed -E 's/\.so\./-so/; s/\.so$//; s/[^A-Za-z0-9._+-]/_/g' <<<"$1"; }
  version() { local v; v=$(basename "$1" | sed -nE 's/.*\.so\.([0-9][0-9.]*)$/\1/p'); echo "${v:-1}"; }

  # Stems with several SONAMEs installed become upgrades: base ships the lowest, rebuild the highest, under the stem.
  awk '{print $1}' "$work/sonames.txt" | while read -r s; do echo "$(stem "$s") $s"; done | sort -V > "$work/stems.txt"
  awk '{c[$1]++} END {for (k in c) if (c[k] > 1) print k}' "$work/stems.txt" | sort > "$work/upgrade-stems.txt"

  emit() { # name side version release src dst [src dst...]
    local name=$1 side=$2 ver=$3 rel=$4; shift 4
    echo "$name $side $ver $rel" >> "$plan"
    : > "$work/lists/$name@$side"
    while [ $# -gt 0 ]; do echo "$1 $2" >> "$work/lists/$name@$side"; shift 2; done
  }
  lib_files() { # soname realfile -> "src dst" pairs: the file and its SONAME link
    local s=$1 f=$2 b; b=$(basename "$f")
    echo "$f /usr/lib64/$b"
    [ "$b" != "$s" ] && echo "@$b /usr/lib64/$s"
    return 0
  }
  : > "$plan"
  : > "$out/drift.txt"
  while read -r s f; do
    st=$(stem "$s")
    if grep -qxF "$st" "$work/upgrade-stems.txt"; then
      all=$(awk -v k="$st" '$1==k {print $2}' "$work/stems.txt" | sort -V)
      low=$(head -1 <<<"$all"); high=$(tail -1 <<<"$all")
      name=$(sed -E 's/[^A-Za-z0-9._+-]/_/g' <<<"$st")
      if [ "$s" = "$low" ]; then
        # shellcheck disable=SC2046
        emit "$name" base "$(version "$f")" 1 $(lib_files "$s" "$f"); continue
      elif [ "$s" = "$high" ]; then
        # shellcheck disable=SC2046
        emit "$name" rebuild "$(version "$f")" 2 $(lib_files "$s" "$f") # release 2: newer than base whatever the versions
        echo "upgraded $name $low -> $high" >> "$out/drift.txt"; continue
      fi
    fi
    # shellcheck disable=SC2046
    emit "$(pkgname "$s")" both "$(version "$f")" 1 $(lib_files "$s" "$f")
  done < "$work/sonames.txt"

  # Executables: one package per owning Debian package (unowned ones together).
  : > "$work/bins.txt"
  for f in "$bindir"/*; do is_elf "$f" && echo "$f" >> "$work/bins.txt"; done
  while read -r f; do
    o=$(dpkg -S "$f" 2>/dev/null | grep -v '^diversion ' | head -1 | cut -d: -f1 | cut -d, -f1 || true)
    echo "${o:-unowned} $f"
  done < "$work/bins.txt" | sort > "$work/bin-owners.txt"
  for o in $(awk '{print $1}' "$work/bin-owners.txt" | sort -u); do
    args=()
    while read -r f; do args+=("$f" "/usr/bin/$(basename "$f")"); done < <(awk -v k="$o" '$1==k {print $2}' "$work/bin-owners.txt")
    emit "$(sed -E 's/[^A-Za-z0-9._+-]/_/g' <<<"$o")-bin" both 1 1 "${args[@]}"
  done

  # Drift among the "both" packages, chosen by a stable order (every 41st removed, every 43rd added, every 23rd rebuilt).
  awk '$2=="both" {print $1}' "$plan" | sort > "$work/both.txt"
  i=0
  while read -r name; do
    i=$((i + 1))
    if (( i % 41 == 0 )); then
      sed -i "s/^$name both /$name base /" "$plan"; echo "removed $name" >> "$out/drift.txt"
      mv "$work/lists/$name@both" "$work/lists/$name@base"
    elif (( i % 43 == 0 )); then
      sed -i "s/^$name both /$name rebuild /" "$plan"; echo "added $name" >> "$out/drift.txt"
      mv "$work/lists/$name@both" "$work/lists/$name@rebuild"
    elif (( i % 23 == 0 )); then
      read -r _ _ ver _ < <(grep "^$name both " "$plan")
      echo "$name rebuild $ver 2" >> "$plan"; cp "$work/lists/$name@both" "$work/lists/$name@rebuild"
      sed -i "s/^$name both /$name base /" "$plan"; mv "$work/lists/$name@both" "$work/lists/$name@base"
      echo "rebuilt $name" >> "$out/drift.txt"
    fi
  done < "$work/both.txt"
fi

# --- 2. one rpmbuild per package, JOBS at a time ---
build_one() {
  set -euo pipefail
  local out=$1 work=$2 name=$3 side=$4 ver=$5 rel=$6
  local dir=$out/$side; [ "$side" = both ] && dir=$out/base
  local rpm=$dir/$name-$ver-$rel.x86_64.rpm
  [ -s "$rpm" ] && return 0
  local list=$work/lists/$name@$side size=0 payload
  while read -r src _; do [ "${src:0:1}" = @ ] || size=$((size + $(stat -c %s "$src"))); done < "$list"
  local h; h=$(cksum <<<"$name" | cut -d' ' -f1)
  if (( h % 2 == 0 )); then (( size < 4194304 )) && payload=w19.zstdio || payload=w3.zstdio
  else (( size < 4194304 )) && payload=w6.xzdio || payload=w1.xzdio; fi
  local spec=$work/specs/$name@$side.spec top=$work/top/$name@$side
  rm -rf "$top"; mkdir -p "$top"
  {
    echo '%global __os_install_post %{nil}'
    echo '%global __arch_install_post %{nil}'
    echo '%global debug_package %{nil}'
    echo '%global _build_id_links none'
    echo "%global _binary_payload $payload"
    echo "Name: $name"; echo "Version: $ver"; echo "Release: $rel"
    echo "Summary: $name, packaged from this machine for the distribution-diff benchmark"
    echo 'License: Various'
    echo '%description'; echo "Files of $name."
    echo '%install'
    while read -r src dst; do
      echo "mkdir -p %{buildroot}$(dirname "$dst")"
      if [ "${src:0:1}" = @ ]; then echo "ln -s ${src:1} %{buildroot}$dst"; else echo "cp -p $src %{buildroot}$dst"; fi
    done < "$list"
    echo '%files'
    while read -r _ dst; do echo "$dst"; done < "$list"
  } > "$spec"
  rpmbuild -bb --quiet --define "_topdir $top" --define "_rpmdir $top/out" \
    --define '_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm' "$spec" > "$top/log" 2>&1 \
    || { echo "FAILED $name@$side (see $top/log)" >&2; return 1; }
  mv "$top/out/$name-$ver-$rel.x86_64.rpm" "$rpm.tmp" && mv "$rpm.tmp" "$rpm"
  rm -rf "$top"
}
export -f build_one
start=$(date +%s)
# Biggest first, so the long builds overlap the many small ones.
while read -r name side ver rel; do
  size=0
  while read -r src _; do [ "${src:0:1}" = @ ] || size=$((size + $(stat -c %s "$src"))); done < "$work/lists/$name@$side"
  echo "$size $name $side $ver $rel"
done < "$plan" | sort -rn | cut -d' ' -f2- \
  | xargs -P "$jobs" -L 1 bash -c 'build_one "$0" "$1" "$2" "$3" "$4" "$5"' "$out" "$work"

# --- 3. the rebuild side shares the unchanged packages' bytes ---
while read -r name side ver rel; do
  [ "$side" = both ] || continue
  f=$name-$ver-$rel.x86_64.rpm
  [ -e "$out/rebuild/$f" ] || ln "$out/base/$f" "$out/rebuild/$f" 2>/dev/null || cp "$out/base/$f" "$out/rebuild/$f"
done < "$work/plan.txt"
echo "base: $(ls "$out/base" | grep -c '\.rpm$') packages, rebuild: $(ls "$out/rebuild" | grep -c '\.rpm$') packages, drift: $(wc -l < "$out/drift.txt"), build $(( $(date +%s) - start )) s"
