// One-line summaries of conditions, actions and problems, in the UI's language.
import { type Action, type Condition, type Graph, textIn } from "./graph/model";
import type { Problem } from "./graph/validate";
import { T, hasKey } from "./i18n";

const list = (items?: (string | number | boolean)[]) => (items && items.length ? items.map(String).join(", ") : "—");

export function duration(t: T, seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return t("time.h", { n: seconds / 3600 });
  if (seconds >= 60 && seconds % 60 === 0) return t("time.min", { n: seconds / 60 });
  return t("time.s", { n: seconds });
}

// A group as people know it: its name from the tenant's groups, else its id.
export type GroupName = (id: string) => string;
const byId: GroupName = (id) => id;
export const groupNames =
  (groups?: { id: string; name?: string }[]): GroupName =>
  (id) =>
    groups?.find((g) => g.id === id)?.name || id;
const groupOr = (groupName: GroupName, id?: string) => (id ? groupName(id) : "—");

export function describeCondition(t: T, c: Condition, groupName: GroupName = byId): string {
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
      return t(c.state === "closed" ? "sum.business_hours.closed" : "sum.business_hours.open", { group: groupOr(groupName, c.group) });
    case "keywords":
      return t(c.match === "all" ? "sum.keywords.all" : "sum.keywords.any", { list: list(c.words) });
    case "intent":
      return t("sum.intent", { list: list(c.intents) });
    case "group_available":
      return t(c.available === false ? "sum.group_available.no" : "sum.group_available.yes", { group: groupOr(groupName, c.group) });
    case "waited":
      return t("sum.waited", { time: duration(t, c.seconds ?? 0) });
  }
}

export function describeAction(t: T, a: Action, groupName: GroupName = byId): string[] {
  switch (a.type) {
    case "route":
      return [a.group ? t("sum.route", { group: groupName(a.group) }) : t("sum.routeAny"), a.chain?.length ? t("sum.chain", { chain: a.chain.join(" → ") }) : t("sum.chainDefault")];
    case "queue":
      return [t("sum.queue", { group: groupOr(groupName, a.group) })];
    case "bot":
      return [a.flow_node ? t("sum.botNode", { node: a.flow_node }) : t("sum.bot")];
    case "message":
      return [quotedText(a, t)];
    case "offline":
      return [a.group ? t("sum.offline", { group: groupName(a.group) }) : t("sum.offlineAny"), quotedText(a, t)];
  }
}

// What a node is called where the editor names it (an edge, a list of next steps, a
// problem): a rule by its number and name, an action by what it does, the fallback as
// such; never by the ids the editor makes up for them (act_3, rule_2).
// Groups by the names the node itself shows (groupName), so that a screen reader
// hears what the canvas says.
export function nodeName(t: T, graph: Graph, id: string, groupName: GroupName = byId): string {
  const i = graph.rules.findIndex((r) => r.id === id);
  if (i >= 0) return graph.rules[i].name ? t("node.ruleLabel", { n: i + 1, name: graph.rules[i].name! }) : t("node.rule", { n: i + 1 });
  if (id === graph.fallback.id) return t("node.fallback");
  const a = graph.actions.find((x) => x.id === id);
  return a ? actionName(t, a, groupName) : id;
}

// "Route: to support", "Message: “Hello, we are…”".
export function actionName(t: T, a: Action, groupName: GroupName = byId): string {
  const what = describeAction(t, a, groupName)[0];
  return t("node.actionName", { type: t(`act.${a.type}`), summary: what.length > 40 ? what.slice(0, 39) + "…”" : what });
}

// The names of several actions, for a list to choose one from: two that read the
// same (two new messages, both "(empty)") are told apart by their ids.
export function actionNames(t: T, actions: Action[], groupName: GroupName = byId): string[] {
  const names = actions.map((a) => actionName(t, a, groupName));
  return names.map((name, i) => (names.indexOf(name) !== names.lastIndexOf(name) ? `${name} · ${actions[i].id}` : name));
}

// An edge in words: "From Rule 1: VIP to Route: to support".
export function edgeName(t: T, graph: Graph, from: string, to: string, groupName: GroupName = byId): string {
  return t("edge.label", { from: nodeName(t, graph, from, groupName), to: nodeName(t, graph, to, groupName) });
}

// A problem in words: ours from the table, the server's in its own words.
export function describeProblem(t: T, p: Problem): string {
  const key = `problem.${p.code}`;
  if (!p.message && hasKey(key)) return t(key, p.params);
  return p.message ?? p.code;
}

// A message's text: its English (default) one, else its Chinese one.
function quotedText(a: Action, t: T): string {
  const text = textIn(a.text, "en") || textIn(a.text, "zh");
  return text ? `“${text}”` : t("sum.empty");
}
