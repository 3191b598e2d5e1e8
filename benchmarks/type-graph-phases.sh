#!/usr/bin/env bash
# Where a cold `abi diff` with types spends its time, phase by phase, measured inside the process: uprobes at the entry
# and return of the type-graph builder's phases in a Native AOT `abi` (its symbols in abi.dbg beside it, as
# `dotnet publish src/Abi.Cli -r linux-x64` writes them). Runs alternate between the binaries given; the medians are
# printed per binary. Needs perf with uprobes (root, or perf_event_paranoid <= 1); the probes are removed at the end.
#
#   benchmarks/type-graph-phases.sh [-n RUNS] ABI [ABI2] -- ARGS...     (ARGS: what follows `abi`, e.g. diff --d1 ...)
#
# Phases, per side (each library is built on its own thread): inflating .debug_info; the walk over every unit (which
# includes that inflating and the abbreviation tables); the declarations (each exported symbol's DIE and the types it
# reaches); the finish (canonical keys, the graph). Per process: Main to the second build's start; the comparison.
set -euo pipefail
runs=10
if [ "${1:-}" = "-n" ]; then runs=$2; shift 2; fi
bins=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do bins+=("$(readlink -f "$1")"); shift; done
[ "${1:-}" = "--" ] && [ ${#bins[@]} -gt 0 ] || { echo "usage: type-graph-phases.sh [-n RUNS] ABI [ABI2] -- ARGS..." >&2; exit 2; }
shift

work=$(mktemp -d)
groups=()
cleanup() { for g in "${groups[@]}"; do perf probe -q -d "$g:*" > /dev/null 2>&1 || true; done; rm -rf "$work"; }
trap cleanup EXIT

declare -A probes=(
  [Main]=abi_Abi_Cli_Program__Main
  [Build]=Abi_Sdk_Abi_Sdk_Abi_AbiTypeGraphBuilder__Build
  [Walk]=Abi_Sdk_Abi_Sdk_Abi_AbiTypeGraphBuilder__Walk
  [Declared]=Abi_Sdk_Abi_Sdk_Abi_AbiSplitDwarfReport__Describe
  [Load]=Abi_Sdk_Abi_Sdk_Dwarf_DwarfSectionLoader__Load
  [Compare]=Abi_Sdk_Abi_Sdk_Abi_AbiComparer__Compare_0
)
i=0
for b in "${bins[@]}"; do
  g=phases$$_$i; i=$((i + 1)); groups+=("$g")
  for name in "${!probes[@]}"; do
    perf probe -q -x "$b" -a "$g:${name}_$i=${probes[$name]}" > /dev/null
    [ "$name" = Main ] || perf probe -q -x "$b" -a "$g:${name}R_$i=${probes[$name]}%return" > /dev/null
  done
done

for r in $(seq "$runs"); do
  i=0
  for b in "${bins[@]}"; do
    g=${groups[$i]}; i=$((i + 1))
    perf record -q -e "$g:*" -o "$work/p.data" -- "$b" "$@" > /dev/null 2>&1 || true
    perf script -i "$work/p.data" -F tid,time,event 2>/dev/null | sed "s|^|$i |" >> "$work/events"
    echo "$i END" >> "$work/events"
  done
done

python3 - "$work/events" "${bins[@]}" <<'PY'
import collections, re, statistics, sys
names = sys.argv[2:]
phases = collections.defaultdict(lambda: collections.defaultdict(list))

def one_run(b, rows):
    # Event names are NAME_i and NAMER_i, to which perf adds __return for a return probe.
    ev = [(float(t.rstrip(':')) * 1000, tid, re.sub(r'_\d+(__return)?$', '', e.rstrip(':').split(':')[1])) for tid, t, e in rows]
    def first(name, tid=None):
        return min(t for t, x, e in ev if e == name and (tid is None or x == tid))
    sides = sorted({x for t, x, e in ev if e == 'Build'})
    p = phases[b]
    for s in sides:
        loads = sorted(t for t, x, e in ev if x == s and e == 'Load')
        returns = sorted(t for t, x, e in ev if x == s and e == 'LoadR')
        p['inflate .debug_info'].append(returns[0] - loads[0])
        p['walk (with the inflating)'].append(first('WalkR', s) - first('Walk', s))
        p['declarations'].append(first('Declared', s) - first('WalkR', s))
        p['finish'].append(first('BuildR', s) - first('Declared', s))
    builds = [first('BuildR', s) - first('Build', s) for s in sides]
    p['build, slower side'].append(max(builds))
    p['build, faster side'].append(min(builds))
    p['Main to the last build start'].append(max(first('Build', s) for s in sides) - first('Main'))
    p['comparison'].append(first('CompareR') - first('Compare'))

rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    parts = line.split()
    if parts[1] == 'END':
        one_run(parts[0], rows.pop(parts[0], []))
    else:
        rows[parts[0]].append(parts[1:4])

order = ['Main to the last build start', 'inflate .debug_info', 'walk (with the inflating)', 'declarations', 'finish',
         'build, faster side', 'build, slower side', 'comparison']
print(f"{'median (min) ms':>30}" + ''.join(f"{n[-28:]:>30}" for n in names))
for k in order:
    cells = []
    for b in sorted(phases):
        v = phases[b][k]
        cells.append(f"{statistics.median(v):8.2f} ({min(v):6.2f})" if v else '')
    print(f"{k:>30}" + ''.join(f"{c:>30}" for c in cells))
PY
