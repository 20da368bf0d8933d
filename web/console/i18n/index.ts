import { format, pickLanguage, type Lang } from "../../shared/i18n";
import { en, type Texts } from "./en";
import { zh } from "./zh";

export type { Lang, Texts };
export const kTexts: Record<Lang, Texts> = { en, zh };

const kStorageKey = "sb.console.lang";

export function initialLanguage(): Lang {
  let saved: string | null = null;
  try {
    saved = localStorage.getItem(kStorageKey);
  } catch {
    /* storage blocked */
  }
  return pickLanguage([saved, ...(navigator.languages ?? [navigator.language])]);
}

export function saveLanguage(lang: Lang): void {
  try {
    localStorage.setItem(kStorageKey, lang);
  } catch {
    /* storage blocked */
  }
}

export type Translate = (key: keyof Texts, values?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const texts = kTexts[lang];
  return (key, values) => (values ? format(texts[key], values) : texts[key]);
}
