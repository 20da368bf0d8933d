// Sentences the widget puts together from its texts, kept apart from App.tsx so
// the tests can read them.
import { format } from "../../shared/i18n";
import type { Texts } from "../texts";

// The most the visitor's message box holds (characters as the browser counts them:
// UTF-16 units, as a textarea's maxLength does).
export const kMaxVisitorText = 4000;
// From here on the box says how much room is left.
export const kLimitNear = 3600;

export function waitText(t: Texts, seconds: number): string {
  return seconds >= 60 ? format(t.minutes, { n: Math.round(seconds / 60) }) : format(t.seconds, { n: Math.max(1, Math.round(seconds)) });
}

// Sentences one after another: a space after an English one, none after a Chinese
// full stop (or ！？), as Chinese is written.
export function sentences(...parts: string[]): string {
  let out = "";
  for (const part of parts) {
    if (!part) continue;
    out += out && !/[。！？：；]$/.test(out) ? " " + part : part;
  }
  return out;
}

// "You are number 2 in line. Expected wait: about 3 min." / "您正在排队，排第 2 位。预计等待约 3 分钟。"
// With no agent online the server gives no estimate (none would be honest): the
// line says so instead of a number of minutes.
export function queueLine(t: Texts, position: number, etaSeconds: number, nobodyOnline = false): string {
  const wait = nobodyOnline ? t.nobodyOnline : etaSeconds > 0 ? format(t.eta, { t: waitText(t, etaSeconds) }) : "";
  return sentences(format(t.queued, { n: position }), wait);
}

// A paste into value (replacing start..end) as the box can hold it: the pasted text
// cut to fit (never inside a surrogate pair), and how many characters were left out.
export function pasteInto(value: string, start: number, end: number, pasted: string, max = kMaxVisitorText): { value: string; caret: number; cut: number } {
  const room = Math.max(0, max - (value.length - (end - start)));
  let kept = pasted.slice(0, room);
  if (kept.length < pasted.length && /[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return { value: value.slice(0, start) + kept + value.slice(end), caret: start + kept.length, cut: pasted.length - kept.length };
}

// What the box says about its length: nothing until it is nearly full, then how much
// room is left; after a paste was cut, that, with how much was left out.
export function lengthNote(t: Texts, length: number, cut: number, max = kMaxVisitorText): string {
  if (cut > 0) return format(t.pasteCut, { max: max.toLocaleString("en-US"), n: cut.toLocaleString("en-US") });
  if (length >= max) return format(t.charsNone, { max: max.toLocaleString("en-US") });
  if (length >= kLimitNear) return format(t.charsLeft, { n: (max - length).toLocaleString("en-US") });
  return "";
}
