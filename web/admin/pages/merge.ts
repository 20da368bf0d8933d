// A three-way merge of a bot file edited as a list of entries (the knowledge base's
// FAQ entries, the intents), for a save refused because someone saved the file
// meanwhile (412 kb_changed / intents_changed). base: the file as the page loaded
// it; mine: the page's edits of it; theirs: the file as it is now. Per entry: what
// only one side changed (added, edited, deleted) is taken from that side; what both
// changed the same way once; what both changed differently is a conflict the admin
// decides. Pure, so it is unit-tested (merge.test.ts).
//
// Entries are matched across the three lists by identity: the page's rows carry a
// key that stays with a row however it is edited (its id may be renamed), so a row of
// mine is base's entry with that key; theirs come from the server and are base's
// entry with the same id (its name, for an intent). An entry added on both sides
// with the same id is one entry. Rows taken over from theirs get theirs's keys, so
// theirs can be the next merge's base.

export type Row = { key: number };
export type Doc<R extends Row> = { header: string; rows: R[]; rest: Record<string, unknown> };

// unchanged: nobody changed it; mine / theirs: only that side did; same: both did,
// the same way (deleted on both sides included); conflict: both did, differently.
export type MergeOutcome = "unchanged" | "mine" | "theirs" | "same" | "conflict";

// One entry of the merge. row: the merged entry (null: deleted), the entry as mine
// for a conflict until it is decided; base / mine / theirs: that side's (null: that
// side has no such entry: added by the others, or deleted).
export type MergeItem<R extends Row> = { id: string; outcome: MergeOutcome; base: R | null; mine: R | null; theirs: R | null; row: R | null };

export type ListSpec<R extends Row> = {
  idOf: (row: R) => string;
  // The entry as the file would hold it (what "changed" compares).
  entryOf: (row: R) => unknown;
};

// JSON with object keys sorted, so two entries that hold the same compare equal
// whatever order their keys were written in.
export function canonical(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const keys = Object.keys(value as Record<string, unknown>).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function mergeRows<R extends Row>(base: R[], mine: R[], theirs: R[], spec: ListSpec<R>): MergeItem<R>[] {
  const same = (a: R | null, b: R | null) => (a === null || b === null ? a === b : canonical(spec.entryOf(a)) === canonical(spec.entryOf(b)));

  // Identities: "b<index>" for an entry of base, "n<id>#<k>" for one added (the k-th
  // added with that id on that side, so two rows added with one id stay two).
  const baseIdentity = new Map<number, string>(base.map((r, i) => [r.key, `b${i}`]));
  const baseById = new Map<string, string[]>();
  base.forEach((r, i) => baseById.set(spec.idOf(r), [...(baseById.get(spec.idOf(r)) ?? []), `b${i}`]));
  const added = () => {
    const seen = new Map<string, number>();
    return (id: string) => {
      const k = seen.get(id) ?? 0;
      seen.set(id, k + 1);
      return `n${id}#${k}`;
    };
  };
  const mineAdded = added();
  const mineIds = mine.map((r) => baseIdentity.get(r.key) ?? mineAdded(spec.idOf(r)));
  const theirsAdded = added();
  const taken = new Set<string>();
  const theirsIds = theirs.map((r) => {
    const match = (baseById.get(spec.idOf(r)) ?? []).find((b) => !taken.has(b));
    if (match === undefined) return theirsAdded(spec.idOf(r));
    taken.add(match);
    return match;
  });

  const sides = new Map<string, { base: R | null; mine: R | null; theirs: R | null }>();
  const side = (identity: string) => {
    let s = sides.get(identity);
    if (!s) sides.set(identity, (s = { base: null, mine: null, theirs: null }));
    return s;
  };
  base.forEach((r, i) => (side(`b${i}`).base = r));
  mine.forEach((r, i) => (side(mineIds[i]).mine = r));
  theirs.forEach((r, i) => (side(theirsIds[i]).theirs = r));

  // The merged order: mine's, with each entry only theirs holds placed after the
  // entry it follows in theirs.
  const inMine = new Set(mineIds);
  const after = new Map<string | null, string[]>();
  theirsIds.forEach((identity, i) => {
    if (inMine.has(identity)) return;
    const before = i === 0 ? null : theirsIds[i - 1];
    after.set(before, [...(after.get(before) ?? []), identity]);
  });
  const order = new Set<string>();
  const emit = (identity: string | null) => {
    if (identity !== null) order.add(identity);
    for (const next of after.get(identity) ?? []) emit(next);
  };
  emit(null);
  mineIds.forEach(emit);
  for (const identity of sides.keys()) order.add(identity); // deleted on both sides

  return [...order].map((identity) => {
    const s = sides.get(identity)!;
    // A row taken into the result answers to theirs's key from now on.
    const keyed = (r: R | null): R | null => (r && s.theirs ? { ...r, key: s.theirs.key } : r);
    const id = spec.idOf((s.mine ?? s.theirs ?? s.base)!);
    const item = (outcome: MergeOutcome, row: R | null): MergeItem<R> => ({ id, outcome, ...s, row: keyed(row) });
    const mineChanged = !same(s.base, s.mine);
    const theirsChanged = !same(s.base, s.theirs);
    if (!mineChanged && !theirsChanged) return item("unchanged", s.theirs);
    if (!theirsChanged) return item("mine", s.mine);
    if (!mineChanged) return item("theirs", s.theirs);
    if (same(s.mine, s.theirs)) return item("same", s.mine);
    return item("conflict", s.mine ?? s.theirs);
  });
}

// What the table does not edit (the file's leading comments, its other top-level
// keys, such as the knowledge base's not_for_bot that dismissing an unanswered
// question writes): taken per key from whichever side changed it, theirs when both did.
export function mergeRest(base: Record<string, unknown>, mine: Record<string, unknown>, theirs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const eq = (a: unknown, b: unknown) => canonical(a) === canonical(b);
  for (const key of new Set([...Object.keys(theirs), ...Object.keys(mine), ...Object.keys(base)])) {
    const pick = !eq(mine[key], base[key]) && eq(theirs[key], base[key]) ? mine[key] : theirs[key];
    if (pick !== undefined) out[key] = pick;
  }
  return out;
}

export type DocMerge<R extends Row> = { doc: Doc<R>; items: MergeItem<R>[] };

// The merged file: its rows (a conflict holds its place with the entry as mine, or
// theirs when mine deleted it, until decided), and every entry's outcome.
export function mergeDocs<R extends Row>(base: Doc<R>, mine: Doc<R>, theirs: Doc<R>, spec: ListSpec<R>): DocMerge<R> {
  const items = mergeRows(base.rows, mine.rows, theirs.rows, spec);
  const header = mine.header !== base.header && theirs.header === base.header ? mine.header : theirs.header;
  const rows = items.flatMap((i) => (i.row ? [i.row] : []));
  return { doc: { header, rest: mergeRest(base.rest, mine.rest, theirs.rest), rows }, items };
}

// A conflict decided: the row that takes its place (keyed as the slot it holds), or
// null when the chosen side deleted the entry.
export function decide<R extends Row>(item: MergeItem<R>, side: "mine" | "theirs"): R | null {
  const chosen = item[side];
  return chosen && item.row ? { ...chosen, key: item.row.key } : chosen;
}
