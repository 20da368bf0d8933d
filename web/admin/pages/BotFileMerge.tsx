/** @jsxImportSource react */
// What the Knowledge page shows after a save refused because someone saved the file
// meanwhile (412 kb_changed / intents_changed): the page has read the file as it is
// now and merged it with the admin's edits (merge.ts). A banner says what came from
// the others; an entry changed on both sides is shown in the list's place as both
// versions side by side, with a choice, and the file cannot be saved until each is
// decided. Everything from the file is rendered as text.
import { useCallback, useEffect, useId, useRef, useState } from "react";
import { ApiError } from "../api";
import type { BotFileText } from "./api";
import { Doc, ListSpec, MergeItem, Row, decide, mergeDocs } from "./merge";
import type { MT } from "./mergeText";

// The merge the page is in: the entries still to decide and those taken from the
// others (marked on their rows), by the row's key.
export type MergeState<R extends Row> = {
  pending: Map<number, MergeItem<R>>;
  taken: Map<number, "added" | "changed">;
  added: string[];
  changed: string[];
  removed: string[];
};

// base: the page's file as loaded; mine: its edits; theirs: the file read now. The
// merged file becomes the page's edits, and theirs its new base.
export function startMerge<R extends Row>(base: Doc<R>, mine: Doc<R>, theirs: Doc<R>, spec: ListSpec<R>): { doc: Doc<R>; state: MergeState<R> } {
  const { doc, items } = mergeDocs(base, mine, theirs, spec);
  const state: MergeState<R> = { pending: new Map(), taken: new Map(), added: [], changed: [], removed: [] };
  for (const item of items) {
    if (item.outcome === "conflict") state.pending.set(item.row!.key, item);
    if (item.outcome !== "theirs") continue;
    if (!item.theirs) state.removed.push(item.id);
    else {
      const kind = item.base ? "changed" : "added";
      state.taken.set(item.row!.key, kind);
      state[kind].push(item.id);
    }
  }
  return { doc, state };
}

// The state of an editor of a bot file that merges on a refused save: the file's
// version (etag), base (the file as loaded, last saved or merged with, its rows
// keyed as doc's are, so a merge tells which entries the admin changed), the edits
// (doc), the merge under way, and why a merge could not be made (changed).
export function useMergeableFile<R extends Row>({
  read,
  parse,
  spec,
  mt,
  onExpired,
}: {
  read: () => Promise<BotFileText>;
  parse: (text: string) => Doc<R>;
  spec: ListSpec<R>;
  mt: MT;
  onExpired: (e: unknown) => void;
}) {
  const [etag, setEtag] = useState<string | null>(null);
  const [base, setBase] = useState<Doc<R> | null>(null);
  const [doc, setDoc] = useState<Doc<R> | null>(null);
  const [merge, setMerge] = useState<MergeState<R> | null>(null);
  const [changed, setChanged] = useState<string | null>(null);
  const list = useRef<HTMLOListElement>(null);
  const saveButton = useRef<HTMLButtonElement>(null);
  // Where the focus goes once a merge or a choice is on the page: the next entry to
  // decide, else (after a choice) the save button.
  const [focus, setFocus] = useState<{ to: "conflict" | "next" } | null>(null);
  useEffect(() => {
    if (!focus) return;
    const next = list.current?.querySelector<HTMLElement>(".merge-conflict");
    (next ?? (focus.to === "next" ? saveButton.current : null))?.focus();
  }, [focus]);
  // The file as read: the edits start from it.
  const loaded = useCallback(
    (text: string, version: string | null) => {
      const file = parse(text);
      setEtag(version);
      setChanged(null);
      setBase(file);
      setDoc(file);
      setMerge(null);
    },
    [parse],
  );
  // The edits saved as `version`: the base of the next merge.
  const savedAs = (saved: Doc<R>, version: string | null) => {
    setBase(saved);
    setEtag(version);
    setMerge(null);
  };
  const revert = () => {
    if (base) setDoc(base);
    setMerge(null);
  };
  // A save refused as made from an old version: the file read as it is now and
  // merged with the edits, theirs the new base and its ETag what the next save names;
  // the focus goes to the first entry to decide. A file that cannot be read or parsed
  // leaves the edits as they are and says why.
  const mergeWithCurrent = async (mine: Doc<R>) => {
    try {
      const current = await read();
      const theirs = parse(current.text);
      const merged = startMerge(base ?? mine, mine, theirs, spec);
      setEtag(current.etag);
      setBase(theirs);
      setDoc(merged.doc);
      setMerge(merged.state);
      if (merged.state.pending.size) setFocus({ to: "conflict" });
    } catch (e) {
      if ((e as ApiError).status === 401) return onExpired(e);
      setChanged(mt("merge.failed", { message: (e as Error).message }));
    }
  };
  const choose = (key: number, side: "mine" | "theirs") => {
    if (!doc || !merge) return;
    const next = chooseVersion(doc, merge, key, side);
    setDoc(next.doc);
    setMerge(next.state);
    setFocus({ to: "next" });
  };
  const focusFirst = () => setFocus({ to: "conflict" });
  const undecided = merge?.pending.size ?? 0;
  return { etag, doc, setDoc, merge, changed, setChanged, list, saveButton, loaded, savedAs, revert, mergeWithCurrent, choose, focusFirst, undecided };
}

// A conflict decided: the page's rows with the chosen version in its place (or
// without it, when the chosen side deleted it), and the merge without it.
export function chooseVersion<R extends Row>(doc: Doc<R>, state: MergeState<R>, key: number, side: "mine" | "theirs"): { doc: Doc<R>; state: MergeState<R> } {
  const item = state.pending.get(key);
  if (!item) return { doc, state };
  const row = decide(item, side);
  const pending = new Map(state.pending);
  pending.delete(key);
  const rows = row ? doc.rows.map((r) => (r.key === key ? row : r)) : doc.rows.filter((r) => r.key !== key);
  return { doc: { ...doc, rows }, state: { ...state, pending } };
}

export function MergeBanner({
  mt,
  file,
  state,
  reload,
  onFirst,
  onReload,
}: {
  mt: MT;
  file: "kb" | "intents";
  state: MergeState<Row>;
  reload: string;
  onFirst: () => void;
  onReload: () => void;
}) {
  const n = state.pending.size;
  const noName = (ids: string[]) => ids.map((id) => id || mt("merge.noName")).join(", ");
  const lines = (
    [
      ["merge.added", state.added],
      ["merge.changed", state.changed],
      ["merge.removed", state.removed],
    ] as const
  ).filter(([, ids]) => ids.length > 0);
  return (
    <div className={"banner merge-banner " + (n ? "banner-changed" : "banner-info")} role="alert">
      <div className="grow">
        <p>{n ? mt(`merge.${file}.conflicts`, { n }) : mt(`merge.${file}.merged`)}</p>
        {lines.length > 0 && (
          <ul className="merge-summary">
            {lines.map(([key, ids]) => (
              <li key={key}>{mt(key, { ids: noName(ids) })}</li>
            ))}
          </ul>
        )}
      </div>
      <div className="merge-banner-actions">
        {n > 0 && (
          <button type="button" onClick={onFirst}>
            {mt("merge.goToFirst")}
          </button>
        )}
        <button type="button" onClick={onReload}>
          {reload}
        </button>
      </div>
    </div>
  );
}

// A pill on a row taken from the others.
export function TakenMark({ mt, kind }: { mt: MT; kind: "added" | "changed" | undefined }) {
  if (!kind) return null;
  return <span className="pill merge-taken">{mt(kind === "added" ? "merge.pill.added" : "merge.pill.changed")}</span>;
}

export type Described = { label: string; value: string }[];

// One side of a conflict: its fields (those that differ from the other side marked),
// or that it deleted the entry.
function Side({ mt, caption, className, fields, other }: { mt: MT; caption: string; className: string; fields: Described | null; other: Described | null }) {
  const otherValue = (label: string) => other?.find((f) => f.label === label)?.value;
  return (
    <figure className={"merge-side " + className}>
      <figcaption>{caption}</figcaption>
      {fields === null ? (
        <p className="merge-deleted">{mt("merge.deleted")}</p>
      ) : (
        <dl>
          {fields.map((f) => {
            const differs = other !== null && otherValue(f.label) !== f.value;
            return (
              <div key={f.label} className={differs ? "differs" : undefined}>
                <dt>
                  {f.label}
                  {differs && <span className="merge-differs"> · {mt("merge.differs")}</span>}
                </dt>
                <dd>{f.value}</dd>
              </div>
            );
          })}
        </dl>
      )}
    </figure>
  );
}

// An entry changed on both sides, in its place in the list: both versions, and the choice.
export function ConflictEntry<R extends Row>({
  mt,
  item,
  describe,
  onChoose,
}: {
  mt: MT;
  item: MergeItem<R>;
  describe: (row: R) => Described;
  onChoose: (side: "mine" | "theirs") => void;
}) {
  const id = useId();
  const name = item.id || mt("merge.noName");
  const theirs = item.theirs ? describe(item.theirs) : null;
  const mine = item.mine ? describe(item.mine) : null;
  return (
    <li className="kb-row card merge-conflict" role="group" aria-labelledby={`${id}-title`} aria-describedby={`${id}-lead`} tabIndex={-1} data-conflict={item.id}>
      <h4 id={`${id}-title`}>{mt("merge.conflictTitle", { name })}</h4>
      <p id={`${id}-lead`} className="help">
        {mt("merge.conflictLead")}
      </p>
      <div className="merge-sides">
        <Side mt={mt} caption={mt("merge.theirs")} className="merge-theirs" fields={theirs} other={mine} />
        <Side mt={mt} caption={mt("merge.mine")} className="merge-mine" fields={mine} other={theirs} />
      </div>
      <div className="row buttons">
        <button type="button" onClick={() => onChoose("theirs")} aria-label={mt("merge.takeTheirsOf", { name })}>
          {mt("merge.takeTheirs")}
        </button>
        <button type="button" onClick={() => onChoose("mine")} aria-label={mt("merge.keepMineOf", { name })}>
          {mt("merge.keepMine")}
        </button>
      </div>
    </li>
  );
}
