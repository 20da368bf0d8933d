// The tenant's frame limit (the welcome's max_message_bytes): a frame the server
// would refuse as too_large is not sent, and the agent is told how much to cut.
const encoder = new TextEncoder();

// The bytes of a frame as the socket sends it (JSON, UTF-8).
export const frameBytes = (frame: unknown): number => encoder.encode(JSON.stringify(frame)).length;

// A transfer's note: the server takes at most this many bytes of UTF-8
// (core/hub/client_frames.cpp, kMaxTransferNoteBytes).
export const kMaxTransferNoteBytes = 1000;

// How many characters must go from the end of `text` for it to fit in `limit`
// bytes of UTF-8; 0 when it fits.
export function charactersOverBytes(text: string, limit: number): number {
  if (encoder.encode(text).length <= limit) return 0;
  const chars = Array.from(text);
  let bytes = 0;
  let fits = 0;
  for (const c of chars) {
    bytes += encoder.encode(c).length;
    if (bytes > limit) break;
    fits += 1;
  }
  return chars.length - fits;
}

// How many characters must go from the end of `text` for frameOf(text) to fit in
// `limit` bytes; 0 when it fits (or the limit is unknown: 0).
export function charactersOver(text: string, frameOf: (text: string) => unknown, limit: number): number {
  if (!limit || frameBytes(frameOf(text)) <= limit) return 0;
  const chars = Array.from(text); // code points: a cut never splits a character
  let fits = 0;
  let over = chars.length;
  while (over - fits > 1) {
    const mid = (fits + over) >> 1;
    if (frameBytes(frameOf(chars.slice(0, mid).join(""))) <= limit) fits = mid;
    else over = mid;
  }
  return chars.length - fits;
}
