// What a visitor is called on screen: the name they gave, else "Visitor" and the
// end of their id ("Visitor a3ff0f"), the same in the console and the admin pages,
// so an admin finds the conversation an agent talks about.
import type { Lang } from "./i18n";

export function visitorName(name: string | null | undefined, id: string, lang: Lang): string {
  if (name) return name;
  return `${lang === "zh" ? "访客" : "Visitor"} ${id.slice(-6)}`;
}
