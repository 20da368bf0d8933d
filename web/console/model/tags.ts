// What a conversation tag may be, checked in the console before it goes to the
// server. The server (core/engine/tags.cpp) refuses an empty tag, one longer than
// 64 bytes of UTF-8, one with a line break or another control character, and a 33rd
// tag on a conversation; the console also keeps a tag a label rather than a note:
// at most 32 characters, and none of Unicode's other control or line-separator
// characters. Spaces at the ends are dropped, and runs of spaces inside are one.

export const kMaxTagChars = 32;
export const kMaxTagBytes = 64; // the server's limit
export const kMaxTags = 32; // the server's limit per conversation

export type TagProblem = "empty" | "tooLong" | "badChars" | "tooMany";
export type TagCheck = { ok: true; tag: string } | { ok: false; problem: TagProblem };

export function checkTag(raw: string, existing: readonly string[]): TagCheck {
  const tag = raw.trim().replace(/[ \t\u00a0\u3000]+/g, " ");
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(tag)) return { ok: false, problem: "badChars" };
  if (!tag) return { ok: false, problem: "empty" };
  if ([...tag].length > kMaxTagChars || new TextEncoder().encode(tag).length > kMaxTagBytes) return { ok: false, problem: "tooLong" };
  if (!existing.includes(tag) && existing.length >= kMaxTags) return { ok: false, problem: "tooMany" };
  return { ok: true, tag };
}
