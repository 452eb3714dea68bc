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
  check.py field KEY.csv KIND FIELD
      Prints the value of FIELD (an element of the record's head, e.g.
      ebcCode) that most of the key's records of KIND share, read from
      the documents the key names; nothing when none has it.
  check.py entities RULE REPORT.csv...
      Prints the "dimension:entity" pairs the findings of RULE name.
  check.py codereport FILE.xml N
      Writes to standard output a report as ceb-reconcile writes it
      (the columns ceb-risk reads): R-AMT-001 on the first N import
      inventories of FILE that declare its most declared HS code (8
      digits); the code on standard error.
  check.py bench KEY.csv BATCHDIR OUTDIR K...
      make bench (tests/bench/ceb-risk.sh): precision and recall at the
      top K of the week's ranking (OUTDIR/rank*.csv, entities by the sum
      of their scores) against the injected entities: those the findings
      of each goods or splitting kind's indicators name on the key's
      records (a record of a ring that arrived before the ring was whole
      has no finding of its own: the entity is counted once found), and
      the companies of risk-mismatch-ebc and risk-not-departed; also how
      many key records of each kind have a finding of their kind.
  check.py alarms OUTDIR
      The entities of OUTDIR/rank*.csv (a clean history's false alarms),
      per dimension.
  check.py place RANKING.csv ENTITY
      Prints the place of ENTITY among the enterprises of the ranking
      (rows of the dimensions platform, ebc, logistics, payment, agent),
      nothing when it is not there.
"""
import collections
import re
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


def field(args):
    keyfile, kind, name = args
    want = collections.defaultdict(set)
    for r in rows(keyfile):
        if r["defect"] == kind:
            want[r["source"]].add((int(r["message"]), int(r["record"])))
    seen = collections.Counter()
    el = re.compile(r"<(?:\w+:)?%s>([^<]*)<" % re.escape(name))
    for src, msgs in want.items():
        with open(src, encoding="utf-8") as f:
            docs = re.split(r"(?=<\?xml )", f.read())
        docs = [d for d in docs if d.strip()]
        for m, rec in msgs:
            recs = re.split(r"<(?:\w+:)?\w+Head>", docs[m - 1]) \
                if m <= len(docs) else []
            hit = el.search(recs[rec]) if rec < len(recs) else None
            if hit:
                seen[hit.group(1)] += 1
    if seen:
        print(seen.most_common(1)[0][0])


def entities(args):
    rule, reports = args[0], args[1:]
    got = set()
    for p in reports:
        got |= {r["dimension"] + ":" + r["entity"] for r in rows(p)
                if r["rule"] == rule}
    print(" ".join(sorted(got)))


def codereport(args):
    path, n = args[0], int(args[1])
    with open(path, encoding="utf-8") as f:
        docs = [d for d in re.split(r"(?=<\?xml )", f.read()) if d.strip()]
    invs = []
    for d in docs:
        if "<ceb:CEB621Message" not in d:
            continue
        for rec in re.split(r"<ceb:InventoryHead>", d)[1:]:
            def get(name):
                m = re.search(r"<ceb:%s>([^<]*)<" % name, rec)
                return m.group(1) if m else ""
            codes = {c[:8] for c in re.findall(r"<ceb:gcode>([0-9]{8})", rec)}
            invs.append(("%s/%s" % (get("agentCode"), get("copNo")), codes))
    freq = collections.Counter(c for _, cs in invs for c in cs)
    code = freq.most_common(1)[0][0]
    w = csv.writer(sys.stdout, lineterminator="\n")
    w.writerow(["tool", "type", "key", "rule", "severity"])
    for k, cs in [i for i in invs if code in i[1]][:n]:
        w.writerow(["ceb-reconcile", "CEB621", k, "R-AMT-001", "error"])
    print(code, file=sys.stderr)


ENT_KINDS = {"risk-mismatch-ebc": ("ebc", "ebcCode"),
             "risk-not-departed": ("logistics", "logisticsCode")}


def week(outdir, prefix):
    import glob
    return sorted(glob.glob("%s/%s*.csv" % (outdir, prefix)))


def bench(args):
    import contextlib
    import io
    keyfile, outdir, ks = args[0], args[2], args[3:]
    score = collections.Counter()
    for p in week(outdir, "rank"):
        for r in rows(p):
            score[r["dimension"] + ":" + r["entity"]] += float(r["score"])
    ranked = [e for e, _ in sorted(score.items(), key=lambda x: (-x[1], x[0]))]
    found_by = collections.defaultdict(set)
    for p in week(outdir, "risk"):
        for r in rows(p):
            found_by[(r["key"], r["rule"])].add(
                r["dimension"] + ":" + r["entity"])
    truth = set()
    keyrows = rows(keyfile)
    seen, told = collections.Counter(), collections.Counter()
    for r in keyrows:
        rules = KINDS.get(r["defect"])
        if rules is None:
            continue
        got = set()
        for rule in rules:
            got |= found_by.get((r["key"], rule), set())
        truth |= got
        seen[r["defect"]] += 1
        told[r["defect"]] += 1 if got else 0
    print("  key records with a finding of their kind: %s" % ", ".join(
        "%s %d/%d" % (k, told[k], seen[k]) for k in sorted(seen)))
    for kind, (dim, name) in ENT_KINDS.items():
        if any(r["defect"] == kind for r in keyrows):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                field([keyfile, kind, name])
            if out.getvalue().strip():
                truth.add(dim + ":" + out.getvalue().strip())
    print("  injected entities: %d (%d key records); ranked entities: %d" % (
        len(truth), len(keyrows), len(ranked)))
    for k in ks:
        k = int(k)
        hit = len([e for e in ranked[:k] if e in truth])
        print("  top %-4d precision %.2f  recall %.2f  (%d injected in the "
              "top %d)" % (k, hit / k, hit / len(truth) if truth else 0,
                           hit, k))


def alarms(args):
    ents = collections.defaultdict(set)
    nights = week(args[0], "rank")
    for p in nights:
        for r in rows(p):
            ents[r["dimension"]].add(r["entity"])
    total = sum(len(v) for v in ents.values())
    print("  %d entities cross a threshold over %d nights: %s" % (
        total, len(nights), ", ".join("%s %d" % (d, len(v)) for d, v in
                                      sorted(ents.items())) or "none"))


def place(args):
    roles = {"platform", "ebc", "logistics", "payment", "agent"}
    ents = [r["entity"] for r in rows(args[0]) if r["dimension"] in roles]
    if args[1] in ents:
        print(ents.index(args[1]) + 1)


{"key": key, "top": top, "count": count, "field": field,
 "entities": entities, "place": place, "codereport": codereport,
 "bench": bench, "alarms": alarms}[sys.argv[1]](sys.argv[2:])
