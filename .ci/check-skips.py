#!/usr/bin/env python3
"""Lists the skipped tests of TRX result files; exits 1 when a skip reason is not on the allow-list.

Usage: check-skips.py ALLOW_LIST RESULT.trx...
"""
import re
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}


def main() -> int:
    allow_file, *trx_files = sys.argv[1:]
    with open(allow_file, encoding="utf-8") as f:
        allowed = [re.compile(line.rstrip("\n")) for line in f if line.strip() and not line.lstrip().startswith("#")]
    if not trx_files:
        print("check-skips: no test result files", file=sys.stderr)
        return 1
    bad = 0
    skipped = 0
    for path in trx_files:
        for result in ET.parse(path).getroot().iterfind(".//t:UnitTestResult", NS):
            if result.get("outcome") != "NotExecuted":
                continue
            skipped += 1
            message = result.find("t:Output/t:ErrorInfo/t:Message", NS)
            reason = (message.text or "").strip() if message is not None else ""
            ok = any(a.fullmatch(reason) for a in allowed)
            bad += 0 if ok else 1
            print(f"{'allowed' if ok else 'NOT ALLOWED'} skip: {result.get('testName')}: {reason or '(no reason)'}")
    if bad:
        print(f"check-skips: {bad} of {skipped} skipped tests have a reason not on {allow_file}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
