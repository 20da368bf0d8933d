// What the agent typed in a conversation's composer and has not sent, kept in the
// agent's browser (localStorage) so a reload, a crash or another conversation in
// between loses none of it. One entry per tenant and agent holds every draft of
// theirs: { conversation id: { text, ts } }. Bounded: the newest kDraftCount drafts,
// each at most kDraftChars characters (a longer text is kept in the composer, only
// its beginning survives a reload). A sent message or a closed conversation removes
// its draft. Storage that refuses (private mode, full) costs the drafts, nothing else.

export const kDraftCount = 50;
export const kDraftChars = 20000;

export interface Draft {
  text: string;
  ts: number; // when last changed (ms): the oldest go first when there are too many
}

export type Drafts = Record<string, Draft>;

// The storage the drafts live in; tests pass their own.
export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function draftKey(tenant: string, agent: string): string {
  return `sb.console.drafts.${encodeURIComponent(tenant)}.${encodeURIComponent(agent)}`;
}

// Cut at a character boundary, never inside a surrogate pair.
function cut(text: string): string {
  if (text.length <= kDraftChars) return text;
  let end = kDraftChars;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

export function parseDrafts(raw: string | null): Drafts {
  if (!raw) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return {};
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  const drafts: Drafts = {};
  for (const [id, d] of Object.entries(value as Record<string, unknown>)) {
    const draft = d as Partial<Draft> | null;
    if (draft && typeof draft.text === "string" && draft.text && typeof draft.ts === "number") drafts[id] = { text: cut(draft.text), ts: draft.ts };
  }
  return bounded(drafts);
}

// The newest kDraftCount.
function bounded(drafts: Drafts): Drafts {
  const ids = Object.keys(drafts);
  if (ids.length <= kDraftCount) return drafts;
  const keep = ids.sort((a, b) => drafts[b].ts - drafts[a].ts).slice(0, kDraftCount);
  return Object.fromEntries(keep.map((id) => [id, drafts[id]]));
}

// A draft set (text) or removed (empty text, or only spaces).
export function withDraft(drafts: Drafts, conversationId: string, text: string, now: number): Drafts {
  if (!text.trim()) {
    if (!(conversationId in drafts)) return drafts;
    const next = { ...drafts };
    delete next[conversationId];
    return next;
  }
  return bounded({ ...drafts, [conversationId]: { text: cut(text), ts: now } });
}

// The drafts of one agent of one tenant in a storage. Every change reads the entry
// again first: the agent's other tabs write it too, and one tab's draft must not
// wipe another's.
export class DraftBook {
  private drafts: Drafts;

  constructor(
    private readonly storage: DraftStorage | null,
    private readonly key: string,
  ) {
    this.drafts = this.read() ?? {};
  }

  private read(): Drafts | null {
    try {
      return this.storage ? parseDrafts(this.storage.getItem(this.key)) : null;
    } catch {
      return null; // no storage here: what this page holds
    }
  }

  get(conversationId: string): string {
    return this.drafts[conversationId]?.text ?? "";
  }

  // The conversations with a draft, sorted (for the inbox's mark).
  ids(): string[] {
    return Object.keys(this.drafts).sort();
  }

  // Read again (another tab of the agent's changed them).
  reload(): void {
    this.drafts = this.read() ?? this.drafts;
  }

  get storageKey(): string {
    return this.key;
  }

  set(conversationId: string, text: string, now = Date.now()): void {
    this.change((d) => withDraft(d, conversationId, text, now));
  }

  // The drafts of these conversations gone (sent, closed).
  remove(...conversationIds: string[]): void {
    this.change((d) => conversationIds.reduce((next, id) => withDraft(next, id, "", 0), d));
  }

  private change(edit: (drafts: Drafts) => Drafts): void {
    const current = this.read() ?? this.drafts;
    const next = edit(current);
    this.drafts = next;
    if (next === current) return;
    try {
      if (Object.keys(next).length === 0) this.storage?.removeItem(this.key);
      else this.storage?.setItem(this.key, JSON.stringify(next));
    } catch {
      /* full or refused: the draft lives as long as the page */
    }
  }

  // Every draft of this agent gone (signing out).
  clear(): void {
    this.drafts = {};
    try {
      this.storage?.removeItem(this.key);
    } catch {
      /* nothing kept */
    }
  }
}
