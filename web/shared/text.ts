// Chat text as safe pieces: plain text and http(s) links. The UIs render each
// piece as a text node or an <a> with the URL as its href, so visitor text is
// never parsed as HTML, and only web links become clickable (no javascript:).

export type TextPiece = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

const kLink = /\bhttps?:\/\/[^\s<>"']+|\bwww\.[^\s<>"']+/gi;
// Punctuation that usually ends a sentence rather than a URL.
const kTrailing = /[.,;:!?)\]}。，；：！？）」』]+$/;

export function splitLinks(text: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  let last = 0;
  for (const match of text.matchAll(kLink)) {
    let url = match[0];
    const trailing = url.match(kTrailing);
    if (trailing) url = url.slice(0, url.length - trailing[0].length);
    const start = match.index ?? 0;
    if (url.length === 0) continue;
    if (start > last) pieces.push({ kind: "text", text: text.slice(last, start) });
    const href = url.toLowerCase().startsWith("www.") ? "https://" + url : url;
    pieces.push({ kind: "link", text: url, href });
    last = start + url.length;
  }
  if (last < text.length) pieces.push({ kind: "text", text: text.slice(last) });
  return pieces;
}
