// Canned replies by "/": the word being typed at the caret, when it starts with a
// slash (at the start or after a space, anywhere in the text), searches the
// tenant's replies by shortcut and text; choosing one replaces that word.
import type { CannedReply } from "./types";

export interface SlashQuery {
  start: number; // index of the "/"
  end: number; // the caret
  query: string; // what follows the "/", lower case
}

export function slashQueryAt(text: string, caret: number): SlashQuery | null {
  let start = caret;
  while (start > 0 && !/\s/.test(text[start - 1])) start--;
  if (text[start] !== "/") return null;
  const word = text.slice(start + 1, caret);
  if (word.includes("/")) return null; // a path or a URL, not a shortcut
  return { start, end: caret, query: word.toLowerCase() };
}

// Shortcut prefix matches first, then shortcut contains, then text contains.
export function searchCanned(replies: CannedReply[], query: string, limit = 8): CannedReply[] {
  const q = query.trim().toLowerCase();
  const scored: { reply: CannedReply; score: number }[] = [];
  for (const reply of replies) {
    const shortcut = reply.shortcut.toLowerCase().replace(/^\//, "");
    const text = reply.text.toLowerCase();
    let score = -1;
    if (q === "" || shortcut.startsWith(q)) score = 0;
    else if (shortcut.includes(q)) score = 1;
    else if (text.includes(q)) score = 2;
    if (score >= 0) scored.push({ reply, score });
  }
  scored.sort((a, b) => a.score - b.score || a.reply.shortcut.localeCompare(b.reply.shortcut));
  return scored.slice(0, limit).map((s) => s.reply);
}

export function applyCanned(text: string, q: SlashQuery, reply: CannedReply): { text: string; caret: number } {
  const before = text.slice(0, q.start);
  const after = text.slice(q.end);
  const inserted = reply.text + (after.startsWith(" ") || after === "" ? "" : " ");
  return { text: before + inserted + after, caret: before.length + inserted.length };
}
