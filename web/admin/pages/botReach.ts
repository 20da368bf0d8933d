// Whether the routing graph ever hands a new conversation to the bot. A workspace
// starts with no rules, and then every conversation goes to the fallback, which
// routes to agents: the bot's knowledge is saved and "Try the bot" answers, yet no
// visitor ever meets the bot. The Knowledge page says so (with the way to Routing).
import type { DryRunAnswer } from "../api";

// True when a rule or the fallback has a bot action (an action only saves connected),
// or when the fallback starts with the bot ([bot] bot_first): the dry run of an empty
// conversation then fires no rule, lists no action and names no chain, as it routes
// nowhere.
export function botReached(graph: { actions: { type: string }[] }, empty: DryRunAnswer | null): boolean {
  if (graph.actions.some((a) => a.type === "bot")) return true;
  return !!empty && empty.rule_index < 0 && empty.actions.length === 0 && empty.chain === undefined;
}
