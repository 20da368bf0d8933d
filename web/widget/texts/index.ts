import { en, type Texts } from "./en";
import { zh } from "./zh";
import type { Lang } from "../../shared/i18n";

export type { Texts };
export const texts: Record<Lang, Texts> = { en, zh };

// The first of these language tags that is English or Chinese; null when none is.
export function chooseLanguage(candidates: readonly (string | null | undefined)[]): Lang | null {
  for (const tag of candidates) {
    const lower = (tag ?? "").trim().toLowerCase();
    if (lower.startsWith("zh")) return "zh";
    if (lower.startsWith("en")) return "en";
  }
  return null;
}

// The widget's language, as a live chat picks it: the visitor's, not the website's.
//   1. pinned: the embed tag's data-lang; the website owner asked for it, it wins.
//   2. the page's <html lang>, when it is one of the browser's languages (a visitor
//      who reads both, on the Chinese pages of a shop, gets Chinese);
//   3. else the first of the browser's languages the widget has (a Chinese browser
//      on an English page gets Chinese);
//   4. else the page's language, else the tenant's default_language.
export interface LanguageSources {
  pinned?: string | null;
  page?: string | null;
  browser: readonly (string | null | undefined)[];
  fallback: Lang;
}

export function widgetLanguage(s: LanguageSources): Lang {
  const pinned = chooseLanguage([s.pinned]);
  if (pinned) return pinned;
  const page = chooseLanguage([s.page]);
  const read = s.browser.map((tag) => chooseLanguage([tag])).filter((lang): lang is Lang => lang !== null);
  if (page && read.includes(page)) return page;
  return read[0] ?? page ?? s.fallback;
}
