// Chinese and English: every UI keeps its texts in one table per language and
// picks the language from the page (html lang), then the browser.

export type Lang = "en" | "zh";

export function pickLanguage(preferred: readonly (string | null | undefined)[]): Lang {
  for (const tag of preferred) {
    if (!tag) continue;
    const lower = tag.toLowerCase();
    if (lower.startsWith("zh")) return "zh";
    if (lower.startsWith("en")) return "en";
  }
  return "en";
}

// Fills {name} placeholders of a text.
export function format(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
