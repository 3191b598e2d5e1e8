#!/usr/bin/env bash
# The type-level ABI diff matrix (issue 16): one old/new library pair per change kind, from matrix.c and matrix.cc
# (-DK_<kind>, NEW=0 old, NEW=1 new), in every variant of how distributions ship debug information:
#   DWARF 5 (gcc -g) and DWARF 4 (-gdwarf-4), each at -O0 and -O2; and each of those four
#   plain | dwz (dwz -m: one multifile shared by the pair, .gnu_debugaltlink) | zlib | zstd (objcopy
#   --compress-debug-sections) | buildid (stripped, the DWARF in debug/.build-id/NN/REST.debug) | debuglink
#   (stripped, NAME.debug beside it named by .gnu_debuglink).
# abidiff is run on every pair (with --d1/--d2 for the separate debug files) and its answer written to
# OUT/abidiff-expected.tsv: language, kind, variant, abidiff's exit code, and the functions and variables it reports
# (added [A], removed [D], changed [C]), sorted. The libraries are not committed (a few MB, and rebuilt in seconds):
# only the sources, this script and abidiff-expected.tsv; the tests build the matrix into a temporary folder and check
# that abidiff still answers what the committed file says and that the DWARF reader reads every variant.
#
# Usage: make-fixtures.sh [OUT]   (default OUT: a build/ folder here, and the .tsv is then copied beside this script)
# Needs gcc, g++, objcopy (binutils >= 2.40 for zstd), dwz, abidiff (abigail-tools).
set -euo pipefail
cd "$(dirname "$0")"
here=$PWD
out=${1:-$here/build}
mkdir -p "$out"
out=$(cd "$out" && pwd)
# No build path in the DWARF: abidiff's answer must not depend on where the matrix was built.
map="-fdebug-prefix-map=$here=."

c_kinds=(member_inserted_middle member_inserted_end member_removed member_type_changed member_offset_changed
         size_changed enumerator_value_changed enumerator_removed enumerator_added parameter_type_changed
         parameter_count_changed return_type_changed variable_type_changed variable_size_changed typedef_retargeted)
cxx_kinds=(virtual_function_added virtual_functions_reordered base_class_changed)
bases=("d5-O0:-g -O0" "d5-O2:-g -O2" "d4-O0:-gdwarf-4 -O0" "d4-O2:-gdwarf-4 -O2")
posts=(plain dwz zlib zstd buildid debuglink)

tsv="$out/abidiff-expected.tsv"
printf 'language\tkind\tvariant\tabidiff_exit\treported\n' > "$tsv.tmp"

build_pair() { # lang kind base flags dir
  local lang=$1 kind=$2 flags=$4 dir=$5 compiler src
  if [ "$lang" = c ]; then compiler=gcc; src=matrix.c; else compiler=g++; src=matrix.cc; fi
  mkdir -p "$dir"
  for v in old new; do
    local n=0; [ $v = new ] && n=1
    $compiler $map -shared -fPIC -Wl,--build-id $flags -DK_$kind -DNEW=$n -o "$dir/$v.so" "$src"
  done
}

post_process() { # post plaindir dir
  local post=$1 from=$2 dir=$3
  rm -rf "$dir" && mkdir -p "$dir"
  cp "$from/old.so" "$from/new.so" "$dir/"
  case $post in
    dwz)
      # A multifile when the pair shares enough; otherwise each file alone (dwz leaves a file it cannot shrink).
      (cd "$dir" && { dwz -q -m common.debug -M common.debug old.so new.so 2>/dev/null || { dwz -q old.so 2>/dev/null || true; dwz -q new.so 2>/dev/null || true; }; }) ;;
    zlib|zstd)
      for v in old new; do objcopy --compress-debug-sections=$post "$dir/$v.so"; done ;;
    buildid)
      for v in old new; do
        local id; id=$(readelf -n "$dir/$v.so" | sed -n 's/.*Build ID: \([0-9a-f]*\).*/\1/p')
        mkdir -p "$dir/debug/.build-id/${id:0:2}"
        objcopy --only-keep-debug "$dir/$v.so" "$dir/debug/.build-id/${id:0:2}/${id:2}.debug"
        objcopy --strip-debug "$dir/$v.so"
      done ;;
    debuglink)
      for v in old new; do
        objcopy --only-keep-debug "$dir/$v.so" "$dir/$v.so.debug"
        (cd "$dir" && objcopy --strip-debug --add-gnu-debuglink=$v.so.debug $v.so)
      done ;;
  esac
}

run_abidiff() { # lang kind variant dir
  local dir=$4 rc=0 text
  local args=()
  case $3 in
    *-buildid) args=(--d1 "$dir/debug" --d2 "$dir/debug") ;;
    *-debuglink) args=(--d1 "$dir" --d2 "$dir") ;;
  esac
  text=$(abidiff "${args[@]}" "$dir/old.so" "$dir/new.so") || rc=$?
  local reported
  reported=$(printf '%s\n' "$text" | sed -n "s/^ *\[\([ACD]\)\] \('[^']*'\).*/[\1] \2/p" | LC_ALL=C sort -u | paste -sd '|' -)
  printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$rc" "$reported" >> "$tsv.tmp"
}

for lang in c cxx; do
  if [ $lang = c ]; then kinds=("${c_kinds[@]}"); else kinds=("${cxx_kinds[@]}"); fi
  for kind in "${kinds[@]}"; do
    for b in "${bases[@]}"; do
      base=${b%%:*} flags=${b#*:}
      plain="$out/$lang-$kind/$base-plain"
      build_pair $lang $kind "$base" "$flags" "$plain"
      for post in "${posts[@]}"; do
        [ $post = plain ] || post_process $post "$plain" "$out/$lang-$kind/$base-$post"
        run_abidiff $lang $kind "$base-$post" "$out/$lang-$kind/$base-$post"
      done
    done
  done
done
mv "$tsv.tmp" "$tsv"
[ -n "${1:-}" ] || cp "$tsv" "$here/abidiff-expected.tsv"
du -sb "$out" | awk '{ print "matrix: " $1 " bytes" }'
find "$out" -type f -name '*.so' | wc -l | awk '{ print "libraries: " $1 }'
