"""Rewrites gcc 12's annotated assembly (-dA) of loclist.c so that ll_hidden's DW_AT_location is DW_FORM_loclistx 0,
through a .debug_loclists offsets table at the unit's DW_AT_loclists_base; the list holds one DW_LLE_start_length entry
(over ll_get) with the variable's DW_OP_addr, then DW_LLE_end_of_list. gcc writes unit lengths and DIE references as
numbers, so every DIE keeps its size: DW_AT_loclists_base takes the place of DW_AT_producer (4 bytes each), and the
10 bytes of the location expression become the 1-byte list index and a DW_AT_description string of 9 bytes."""
import re
import sys

src = open(sys.argv[1]).read().split('\n')
die = re.compile(r'\s*\.uleb128 (0x[0-9a-f]+)\s+# \(DIE \(0x[0-9a-f]+\) (DW_TAG_\w+)\)')
abbrev = re.compile(r'\s*\.uleb128 (0x[0-9a-f]+)\s+# \(abbrev code\)')

hidden = None
for n, line in enumerate(src):
    if 'DW_AT_name: "ll_hidden"' in line:
        hidden = next(m.group(1) for m in (die.match(src[b]) for b in range(n - 1, 0, -1)) if m)
        break
assert hidden, 'no DIE for ll_hidden'

out, current_die, current_abbrev, done = [], None, None, set()
i = 0
while i < len(src):
    line = src[i]
    if m := die.match(line):
        current_die = (m.group(1), m.group(2))
    if m := abbrev.match(line):
        current_abbrev = m.group(1)
    if current_die and current_die[1] == 'DW_TAG_compile_unit' and '# DW_AT_producer' in line and 'cu' not in done:
        out.append('\t.long\t.Lloclists_base\t# DW_AT_loclists_base')
        done.add('cu')
    elif current_die == (hidden, 'DW_TAG_variable') and '# DW_AT_location' in line and 'var' not in done:
        assert '.byte\t0x3' in src[i + 1] and 'll_hidden' in src[i + 2], src[i:i + 3]
        out += ['\t.uleb128 0\t# DW_AT_location: DW_FORM_loclistx 0', '\t.string\t"loclistx"\t# DW_AT_description']
        done.add('var')
        i += 3
        continue
    elif current_abbrev == '0x1' and '(DW_AT_producer)' in line and 'cu-abbrev' not in done:
        out += ['\t.uleb128 0x8c\t# (DW_AT_loclists_base)', '\t.uleb128 0x17\t# (DW_FORM_sec_offset)']
        done.add('cu-abbrev')
        i += 2
        continue
    elif current_abbrev == hidden and '(DW_AT_location)' in line and 'var-abbrev' not in done:
        assert '(DW_FORM_exprloc)' in src[i + 1], src[i + 1]
        out += [line, '\t.uleb128 0x22\t# (DW_FORM_loclistx)', '\t.uleb128 0x5a\t# (DW_AT_description)', '\t.uleb128 0x8\t# (DW_FORM_string)']
        done.add('var-abbrev')
        i += 2
        continue
    else:
        out.append(line)
    i += 1

assert done == {'cu', 'var', 'cu-abbrev', 'var-abbrev'}, done
out += [
    '\t.section\t.debug_loclists,"",@progbits',
    '\t.long\t.Lloclists_end-.Lloclists_start\t# unit length',
    '.Lloclists_start:',
    '\t.value\t0x5\t# version',
    '\t.byte\t0x8\t# address size',
    '\t.byte\t0\t# segment selector size',
    '\t.long\t0x1\t# offset entry count',
    '.Lloclists_base:',
    '\t.long\t.Lloclist0-.Lloclists_base',
    '.Lloclist0:',
    '\t.byte\t0x8\t# DW_LLE_start_length',
    '\t.quad\t.LFB0',
    '\t.uleb128\t.LFE0-.LFB0',
    '\t.uleb128\t0x9\t# expression length',
    '\t.byte\t0x3\t# DW_OP_addr',
    '\t.quad\tll_hidden',
    '\t.byte\t0\t# DW_LLE_end_of_list',
    '.Lloclists_end:',
]
open(sys.argv[2], 'w').write('\n'.join(out) + '\n')
