import { en, type Texts } from "./en";
import { zh } from "./zh";
import type { Lang } from "../../shared/i18n";

export type { Texts };
export const texts: Record<Lang, Texts> = { en, zh };

// The widget's language: the embed tag's data-lang, the page's <html lang>, the
// browser's languages, in that order; the first that is English or Chinese wins.
// null when none is (the tenant's default_language then decides).
export function chooseLanguage(candidates: readonly (string | null | undefined)[]): Lang | null {
  for (const tag of candidates) {
    const lower = (tag ?? "").trim().toLowerCase();
    if (lower.startsWith("zh")) return "zh";
    if (lower.startsWith("en")) return "en";
  }
  return null;
}
