#!/usr/bin/env python3
"""catalogue.py: the checks of tests/rules/catalogue.test on the one rule
catalogue (common/catalogue.h), as TAP lines without the plan.

Usage: catalogue.py TOP LISTDIR FIRST
  TOP      the source tree
  LISTDIR  holds <tool>.csv, the --list-rules output of every tool
  FIRST    number of the first test

Checks, one TAP line each:
  - every tool lists the same columns;
  - no listing holds a rule twice, and a rule belongs to one tool (or to
    "*", and then every tool lists it);
  - every column of every rule is filled ("-" where none applies); an
    empty source is allowed only for the rules of tests/rules/
    catalogue-allow.txt, and that list names no rule whose source is
    filled by now;
  - every rule ID the code reports (a string literal in cmd/ or common/)
    is in the catalogue, and every rule of the catalogue is reported
    somewhere in the code;
  - every rule ID in a golden case's output is in the catalogue, and in
    every golden report (CSV with rule and severity columns) a finding
    has its rule's catalogue severity, except in the cases that change
    severities with --rules.
"""
import csv
import glob
import os
import re
import sys

top, listdir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
TOOLS = ["ceb-cat", "ceb-validate", "ceb-reconcile", "ceb-quota-check",
         "ceb-manifest-writeoff", "ceb-sign", "ceb-risk"]
HEADER = ["rule", "tool", "severity", "types", "fields", "customs_code",
          "source", "description"]
ID = re.compile(r"\b[SVRQWGK]-[A-Z0-9]+-[0-9]{3}\b")


def tap(ok, what, notes=()):
    global n
    print("%s %d - %s" % ("ok" if ok else "not ok", n, what))
    for x in list(notes)[:20]:
        print("# " + x)
    n += 1


listings = {}
for t in TOOLS:
    with open(os.path.join(listdir, t + ".csv"), encoding="utf-8") as f:
        listings[t] = list(csv.reader(f))

bad = [t for t in TOOLS if not listings[t] or listings[t][0] != HEADER]
tap(not bad, "every tool lists the columns " + ",".join(HEADER),
    ["%s: %s" % (t, listings[t][:1]) for t in bad])

rules = {}
notes = []
for t in TOOLS:
    seen = set()
    for row in listings[t][1:]:
        if len(row) != len(HEADER):
            notes.append("%s: row of %d columns: %s" % (t, len(row), row))
            continue
        r = dict(zip(HEADER, row))
        if r["rule"] in seen:
            notes.append("%s lists %s twice" % (t, r["rule"]))
        seen.add(r["rule"])
        if r["tool"] not in ("*", t):
            notes.append("%s lists %s of %s" % (t, r["rule"], r["tool"]))
        old = rules.get(r["rule"])
        if old is not None and old != r:
            notes.append("%s differs between listings" % r["rule"])
        rules[r["rule"]] = r
for r in rules.values():
    if r["tool"] == "*":
        for t in TOOLS:
            if not any(x[:1] == [r["rule"]] for x in listings[t][1:]):
                notes.append("%s (every tool) is not listed by %s" %
                             (r["rule"], t))
tap(not notes, "every rule is listed once, by its tool (%d rules)" %
    len(rules), notes)

allow = {}
with open(os.path.join(top, "tests/rules/catalogue-allow.txt"),
          encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if line and not line.startswith("#"):
            rid, _, why = line.partition(" ")
            allow[rid] = why.strip()
notes = []
for r in rules.values():
    for c in HEADER:
        if r[c] == "" and not (c == "source" and r["rule"] in allow):
            notes.append("%s: empty %s" % (r["rule"], c))
    if r["severity"] not in ("error", "warning", "info"):
        notes.append("%s: severity %r" % (r["rule"], r["severity"]))
for rid, why in allow.items():
    if rid not in rules:
        notes.append("allow-list names %s, no rule of the catalogue" % rid)
    elif rules[rid]["source"]:
        notes.append("allow-list names %s, whose source is filled now" % rid)
    elif not why:
        notes.append("allow-list gives no reason for %s" % rid)
tap(not notes, "every column of every rule is filled (%d sources not yet "
    "known, each in catalogue-allow.txt)" % len(allow), notes)

code = set()
for pat in ("cmd/*/*.c", "common/*.c"):
    for p in glob.glob(os.path.join(top, pat)):
        with open(p, encoding="utf-8", errors="replace") as f:
            code |= set(m.group(1) for m in
                        re.finditer(r'"([SVRQWGK]-[A-Z0-9]+-[0-9]{3})"',
                                    f.read()))
# The V- rules are reported through their C names (rules.c): R_<name>.
defs = ""
for p in glob.glob(os.path.join(top, "common/catalogue-*.def")):
    with open(p, encoding="utf-8") as f:
        defs += f.read()
with open(os.path.join(top, "cmd/ceb-validate/rules.c"),
          encoding="utf-8") as f:
    rules_c = f.read()
for m in re.finditer(r'RULE\((\w+), "(V-[A-Z]+-\d+)"', defs):
    if re.search(r"\bR_%s\b" % m.group(1), rules_c):
        code.add(m.group(2))
notes = ["%s is reported by the code but not in the catalogue" % x
         for x in sorted(code - set(rules))]
notes += ["%s is in the catalogue but no code reports it" % x
          for x in sorted(set(rules) - code)]
tap(not notes, "the code reports every rule of the catalogue, and no other",
    notes)

notes = []
sevnotes = []
for case in sorted(glob.glob(os.path.join(top, "tests/golden/*/*/"))):
    name = os.path.relpath(case, os.path.join(top, "tests/golden"))
    with open(os.path.join(case, "cmd"), encoding="utf-8") as f:
        cmd = f.read()
    for out in ("stdout", "stderr"):
        p = os.path.join(case, out)
        if not os.path.exists(p):
            continue
        with open(p, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if "--rules" not in cmd and "list-rules" not in cmd:
            for x in set(ID.findall(text)) - set(rules):
                notes.append("%s %s: %s" % (name, out, x))
        if out != "stdout" or "--rules" in cmd:
            continue
        rows = list(csv.reader(text.splitlines()))
        if not rows or "rule" not in rows[0] or "severity" not in rows[0] \
                or "tool" not in rows[0]:
            continue
        ri, si = rows[0].index("rule"), rows[0].index("severity")
        for row in rows[1:]:
            if len(row) > max(ri, si) and row[ri] in rules and \
                    rules[row[ri]]["severity"] != row[si]:
                sevnotes.append("%s: %s reported as %s, catalogue says %s" %
                                (name, row[ri], row[si],
                                 rules[row[ri]]["severity"]))
tap(not notes, "every rule ID in the golden outputs is in the catalogue",
    notes)
tap(not sevnotes, "every finding in a golden report has its rule's "
    "catalogue severity", sevnotes)
