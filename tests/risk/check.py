#!/usr/bin/env python3
"""check.py: the answer-key checks of tests/risk/answer-key.sh (TAP lines).

  check.py key KEY.csv CLEAN.csv INJECTED.csv FIRST
      For each risk- kind of the answer key, the records ceb-risk reports
      with the kind's indicator in the injected night but not in the clean
      one (same seeds, so the same background) are exactly the key's
      records of that kind.  Prints one TAP line per kind, numbered from
      FIRST.
  check.py top KEY.csv INJECTED.csv RANKING.csv N
      Prints "found K SHARE": how many entities the injected records
      give, and the share of the first K places of the ranking they hold
      (the place of every one of them is checked too).
  check.py count REPORT.csv RULE-PREFIX
      Prints the number of findings whose rule starts with RULE-PREFIX.
"""
import csv
import sys

KINDS = {
    "risk-undervalued": ["K-GOODS-001"],
    "risk-weight": ["K-GOODS-002"],
    "risk-origin": ["K-GOODS-003"],
    "risk-ring": ["K-SPLIT-001", "K-SPLIT-002"],
    "risk-split-basket": ["K-SPLIT-005"],
    "risk-under-limit": ["K-SPLIT-004"],
}


def rows(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def found(report, rule):
    return {r["key"] for r in rows(report) if r["rule"] == rule}


def key(args):
    keyfile, clean, injected, n = args[0], args[1], args[2], int(args[3])
    want = {}
    for r in rows(keyfile):
        want.setdefault(r["defect"], set()).add(r["key"])
    for kind, rules in KINDS.items():
        w = want.get(kind, set())
        bad = []
        for rule in rules:
            new = found(injected, rule) - found(clean, rule)
            if new != w:
                bad.append("%s: missed %s, not injected %s" % (
                    rule, sorted(w - new)[:3], sorted(new - w)[:3]))
        if w and not bad:
            print("ok %d - %s: the %d injected records and no other are "
                  "new findings of %s" % (n, kind, len(w), " ".join(rules)))
        else:
            print("not ok %d - %s (%d in the key): %s" % (
                n, kind, len(w), "; ".join(bad) or "none injected"))
        n += 1


def top(args):
    keyfile, injected, ranking = args[0], args[1], args[2]
    keys = {r["key"] for r in rows(keyfile)}
    ents = {r["entity"] for r in rows(injected) if r["key"] in keys}
    rank = [r["entity"] for r in rows(ranking)]
    k = len(ents)
    missing = [e for e in ents if e not in rank]
    share = len([e for e in rank[:k] if e in ents]) / k if k else 0
    print("%d %.2f %d" % (k, share, len(missing)))


def count(args):
    print(len([r for r in rows(args[0]) if r["rule"].startswith(args[1])]))


{"key": key, "top": top, "count": count}[sys.argv[1]](sys.argv[2:])
