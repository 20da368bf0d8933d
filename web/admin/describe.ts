// One-line summaries of conditions, actions and problems, in the UI's language.
import type { Action, Condition } from "./graph/model";
import type { Problem } from "./graph/validate";
import { T, hasKey } from "./i18n";

const list = (items?: (string | number | boolean)[]) => (items && items.length ? items.map(String).join(", ") : "—");

export function duration(t: T, seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return t("time.h", { n: seconds / 3600 });
  if (seconds >= 60 && seconds % 60 === 0) return t("time.min", { n: seconds / 60 });
  return t("time.s", { n: seconds });
}

export function describeCondition(t: T, c: Condition): string {
  switch (c.type) {
    case "page":
      return t("sum.page", { glob: c.glob || "—" });
    case "language":
      return t("sum.language", { list: list(c.languages) });
    case "attribute": {
      const op = c.op ?? "eq";
      const value = Array.isArray(c.value) ? list(c.value) : JSON.stringify(c.value ?? "");
      return t(`sum.attribute.${op}` as const, { key: c.key || "—", value });
    }
    case "business_hours":
      return t(c.state === "closed" ? "sum.business_hours.closed" : "sum.business_hours.open", { group: c.group || "—" });
    case "keywords":
      return t(c.match === "all" ? "sum.keywords.all" : "sum.keywords.any", { list: list(c.words) });
    case "intent":
      return t("sum.intent", { list: list(c.intents) });
    case "group_available":
      return t(c.available === false ? "sum.group_available.no" : "sum.group_available.yes", { group: c.group || "—" });
    case "waited":
      return t("sum.waited", { time: duration(t, c.seconds ?? 0) });
  }
}

export function describeAction(t: T, a: Action): string[] {
  switch (a.type) {
    case "route":
      return [a.group ? t("sum.route", { group: a.group }) : t("sum.routeAny"), a.chain?.length ? t("sum.chain", { chain: a.chain.join(" → ") }) : t("sum.chainDefault")];
    case "queue":
      return [t("sum.queue", { group: a.group || "—" })];
    case "bot":
      return [a.flow_node ? t("sum.botNode", { node: a.flow_node }) : t("sum.bot")];
    case "message":
      return [a.text ? `“${a.text}”` : t("sum.empty")];
    case "offline":
      return [a.group ? t("sum.offline", { group: a.group }) : t("sum.offlineAny"), a.text ? `“${a.text}”` : t("sum.empty")];
  }
}

// A problem in words: ours from the table, the server's in its own words.
export function describeProblem(t: T, p: Problem): string {
  const key = `problem.${p.code}`;
  if (!p.message && hasKey(key)) return t(key, p.params);
  return p.message ?? p.code;
}
