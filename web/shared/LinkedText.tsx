// Chat text in a Preact UI: text nodes and safe http(s) links (shared/text.ts),
// never HTML. Links open in a new tab without handing it this page.
import { splitLinks } from "./text";

export function LinkedText({ text }: { text: string }) {
  return (
    <>
      {splitLinks(text).map((piece, i) =>
        piece.kind === "link" ? (
          <a key={i} href={piece.href} target="_blank" rel="noopener noreferrer nofollow">
            {piece.text}
          </a>
        ) : (
          <span key={i}>{piece.text}</span>
        ),
      )}
    </>
  );
}
