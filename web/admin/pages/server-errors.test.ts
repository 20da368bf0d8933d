import { describe, expect, it } from "vitest";
import { botFileRefusalText, type BotFileRefusal } from "./server-errors";

// Every code the auto-reply plugins and the server give for a refused bot file
// (core/api/bot_file_problem.hpp), with the values the plugin sends along.
const kCodes: Record<string, Record<string, string>> = {
  missing: {},
  empty: {},
  duplicate: { first_line: "12" },
  unreadable: {},
  unknown_key: { expected: "id, questions, answer, tags" },
  not_string: {},
  not_string_list: {},
  not_table: {},
  not_table_list: {},
  not_boolean: {},
  not_integer: {},
  out_of_range: { min: "0", max: "10" },
  no_words: {},
  too_few_examples: { min: "3", has: "1" },
  too_many_examples: { max: "1000", has: "1001" },
  too_few_intents: { min: "2", has: "1" },
  too_many_intents: { max: "256", has: "300" },
  one_action: { expected: "handoff, flow_node, faq_tag" },
  unknown_action: { expected: "handoff, flow_node, faq_tag" },
  handoff_not_true: {},
  human_hands_off: {},
  bad_name: { name: "order status" },
  bad_param_name: { name: "order-id" },
  bad_target: { value: "ask again" },
  bad_language: { value: "EN" },
  no_default_language: { language: "en" },
  not_text: {},
  not_handoff: {},
  unclosed_brace: {},
  stray_brace: {},
  params_not_allowed: {},
  defined_twice: { other_file: "flows.toml" },
  duplicate_row: {},
  second_default: { flow: "menu" },
  bad_pattern: { detail: "Unmatched ( or \\(" },
  pattern_matches_empty: {},
  two_actions: { first: "handoff", second: "close" },
  question_missing: {},
  message_missing: {},
  unknown_flow: { flow: "refunds" },
  unknown_node: { flow: "order_status", node: "nowhere" },
  unknown_table: { table: "orders" },
  unknown_param: { name: "status" },
  forwarding_cycle: { circle: "loop/a -> loop/b -> loop/a" },
  not_list_of_lists: {},
  too_few_words: { min: "2" },
  not_one_word: {},
};

const refusal = (problem: string, values: Record<string, string>): BotFileRefusal => ({
  code: "invalid_flows",
  message: "…",
  file: "demo/flows.toml",
  line: 7,
  field: "flows.f.nodes.a.next",
  reason: "THE PLUGIN'S ENGLISH",
  problem,
  values,
});

describe("a refused bot file in the page's language", () => {
  it("has an English and a Chinese text for every code, with the values the plugin sends", () => {
    for (const [code, values] of Object.entries(kCodes)) {
      for (const lang of ["en", "zh"] as const) {
        const { reason } = botFileRefusalText(refusal(code, values), lang);
        expect(reason, `${lang} ${code}`).not.toContain("THE PLUGIN'S ENGLISH");
        for (const [name, value] of Object.entries(values)) {
          expect(reason, `${lang} ${code} ${name}`).toContain(value);
        }
        expect(reason, `${lang} ${code}`).not.toMatch(/\{(?:min|max|has|name|value|flow|node|table|expected|first|second|language|detail|circle|other_file|first_line)\}/);
      }
    }
  });

  it("says too few examples and an unknown step in Chinese, at their place", () => {
    const few = { ...refusal("too_few_examples", { min: "3", has: "1" }), file: "demo/intents.toml", line: 40, field: "intents[4].examples" };
    expect(botFileRefusalText(few, "zh")).toEqual({ reason: "至少需要 3 个例句（现有 1 个）。", where: "intents.toml 第 40 行，intents[4].examples" });
    expect(botFileRefusalText(few, "en")).toEqual({ reason: "needs at least 3 examples (has 1)", where: "intents.toml:40, intents[4].examples" });
    const step = refusal("unknown_node", { flow: "order_status", node: "nowhere" });
    expect(botFileRefusalText(step, "zh").reason).toBe("流程 order_status 中没有名为 nowhere 的步骤。");
    expect(botFileRefusalText(step, "en").reason).toBe("flow order_status has no step named nowhere");
    const param = refusal("unknown_param", { name: "status" });
    expect(botFileRefusalText(param, "zh").reason).toBe("参数 {status} 没有在任何地方取得（没有同名的 capture.param 或 lookup.into）。");
  });

  it("names another file by its name, and takes the earlier line from the values too", () => {
    const twice = refusal("defined_twice", { other_file: "/srv/switchboard/tenants/demo/more-flows.toml" });
    expect(botFileRefusalText(twice, "zh").reason).toBe("这个名称已在 more-flows.toml 中定义过。");
    const duplicate = refusal("duplicate", { first_line: "3" });
    expect(botFileRefusalText(duplicate, "zh").reason).toBe("与第 3 行的重复，须各不相同。");
    expect(botFileRefusalText({ ...duplicate, first_line: 4 }, "en").reason).toBe("the same as on line 4; each must be different");
  });

  it("keeps the plugin's English only for a code it does not know, or none", () => {
    const unknown = refusal("a_code_from_tomorrow", { n: "1" });
    expect(botFileRefusalText(unknown, "zh").reason).toBe("插件的说明（英文）：THE PLUGIN'S ENGLISH");
    expect(botFileRefusalText(unknown, "en").reason).toBe("THE PLUGIN'S ENGLISH");
    const none = { ...refusal("", {}), problem: undefined, values: undefined };
    expect(botFileRefusalText(none, "zh").reason).toBe("插件的说明（英文）：THE PLUGIN'S ENGLISH");
    // A name of the table's own, not a code: still unknown.
    expect(botFileRefusalText(refusal("toString", {}), "zh").reason).toBe("插件的说明（英文）：THE PLUGIN'S ENGLISH");
  });
});
