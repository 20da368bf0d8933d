// The server's refusals of the admin forms in the page's language. The server
// answers with a stable code and field and an English message (docs/protocol.md);
// these tables say in each language what the refusals admins meet mean, keyed
// "CODE FIELD" or "CODE" (shared/i18n.ts, serverProblemText). English keeps the
// server's own words; a refusal not listed here is shown as the server says it.
import { format, serverProblemText, type Lang, type ServerProblem } from "../../shared/i18n";

const zh: Record<string, string> = {
  // Team: an agent's account.
  "missing_field name": "请填写姓名。",
  "invalid_field name": "名称不能为空，最多 200 字节。",
  "missing_field email": "请填写邮箱。",
  "invalid_field email": "请填写有效的邮箱地址（含 @，3 到 254 字节）。",
  "conflict email": "已有客服使用这个邮箱。",
  "missing_field password": "请设置密码。",
  "invalid_field password": "密码至少 8 个字节（最多 1024 字节）。",
  "invalid_field role": "角色须为客服或管理员。",
  "invalid_field max_concurrent": "同时接待数须为 1 到 10000 的整数。",
  "invalid_field groups": "分组须为分组名称，用逗号分隔。",
  "invalid_field skills": "技能须写成“名称=等级”，等级为 1 到 10。",
  "unknown_field": "服务器不认识字段 {field}。",
  // Canned replies.
  "missing_field shortcut": "请填写快捷指令。",
  "invalid_field shortcut": "快捷指令须为 1 到 64 字节，且不能有空格。",
  "conflict shortcut": "已有回复使用这个快捷指令。",
  "missing_field text": "请填写回复内容。",
  "invalid_field text": "回复内容须为 1 到 4096 字节（每个汉字占 3 字节）。",
  // Groups.
  "invalid_field id": "分组 ID 须为 1 到 64 个字符，不能有空格、/、? 等符号。",
  "invalid_field timezone": "请选择时区（设置营业时间或节假日时必须选择）。",
  "invalid_field hours": "营业时间须写成 09:00-17:00 这样的时间段。",
  "invalid_field hours.mon[]": "周一的营业时间须写成 09:00-17:00 这样的时间段，且不能重叠。",
  "invalid_field hours.tue[]": "周二的营业时间须写成 09:00-17:00 这样的时间段，且不能重叠。",
  "invalid_field hours.wed[]": "周三的营业时间须写成 09:00-17:00 这样的时间段，且不能重叠。",
  "invalid_field hours.thu[]": "周四的营业时间须写成 09:00-17:00 这样的时间段，且不能重叠。",
  "invalid_field hours.fri[]": "周五的营业时间须写成 09:00-17:00 这样的时间段，且不能重叠。",
  "invalid_field hours.sat[]": "周六的营业时间须写成 09:00-17:00 这样的时间段，且不能重叠。",
  "invalid_field hours.sun[]": "周日的营业时间须写成 09:00-17:00 这样的时间段，且不能重叠。",
  "invalid_field holidays": "节假日须为日期列表。",
  "invalid_field holidays[]": "第 {index} 个节假日须为有效日期（年-月-日），且不能重复。",
  "invalid_field max_queue_length": "排队上限须为 0 到 1000000 的整数（0 表示不限）。",
  "invalid_field max_wait_s": "最长等待须为 0 到 7 天（0 表示不限）。",
  "invalid_field on_queue_limit": "请选择排队已满时的处理方式。",
  "invalid_field queue_limit_message": "排队已满时发给访客的消息不能为空。",
  "group_in_use": "还有路由规则或客服使用这个分组，不能删除。",
  // Widget.
  "invalid_field color": "颜色须写成 #rgb 或 #rrggbb，例如 #2f6fed。",
  "invalid_field logo": "标志须为 https:// 地址、本服务器上的路径（/...）或不超过 64 KiB 的 data:image/ 图片，且不能有空格或引号。",
  "invalid_field position": "位置须为左下角或右下角。",
  "invalid_field default_language": "默认语言须为中文或英文。",
  "invalid_field allowed_origins": "允许的网站须为来源列表。",
  "invalid_field allowed_origins[]": "第 {index} 个网站不是有效的来源：请写成 scheme://主机[:端口]（http 或 https，不带路径），例如 https://shop.example.com。",
  "invalid_field pre_chat.fields": "聊天前表单至少要有一项。",
  "invalid_field pre_chat.fields[]": "聊天前表单的第 {index} 项无效或重复。",
  "invalid_field texts.en.title": "英文标题须为 1 到 200 字节。",
  "invalid_field texts.zh.title": "中文标题须为 1 到 200 字节（每个汉字占 3 字节）。",
  "invalid_field texts.en.greeting": "英文欢迎语须为 1 到 2000 字节。",
  "invalid_field texts.zh.greeting": "中文欢迎语须为 1 到 2000 字节（每个汉字占 3 字节）。",
  "invalid_field texts.en.offline_message": "英文离线提示须为 1 到 2000 字节。",
  "invalid_field texts.zh.offline_message": "中文离线提示须为 1 到 2000 字节（每个汉字占 3 字节）。",
  // Retention.
  "invalid_field closed_conversations_days": "已关闭会话的保留天数须为 0 或正整数（0 表示永久保留）。",
  "invalid_field audit_days": "审计日志的保留天数须为 0 或正整数（0 表示永久保留）。",
  retention_changed: "保留设置已被他人修改，请刷新页面后再保存。",
  // Any form.
  bad_json: "请求无效，请刷新页面后重试。",
  not_found: "找不到这一项，可能已被他人删除。请刷新列表。",
  forbidden: "您没有权限执行此操作。",
  unavailable: "服务器暂时无法保存，请稍后重试。",
  rate_limited: "操作过于频繁，请稍后重试。",
};

const kTexts: Record<Lang, Record<string, string>> = { en: {}, zh };

export function serverErrorText(problem: ServerProblem, lang: Lang): string {
  return serverProblemText(kTexts[lang], problem);
}

// A bot file the server refused (422 invalid_kb, invalid_intents, invalid_flows;
// docs/protocol.md): where (file, line, field), the plugin's reason in English, and
// what is wrong as a stable `problem` code with the `values` its sentence needs
// (the auto-reply plugins give one for every refusal; core/api/bot_file_problem.hpp
// lists them). The page says the place and the problem in its language; only a code
// it does not know (or none, from an older server) is said in the plugin's words.
export interface BotFileRefusal {
  code?: string;
  message?: string;
  file?: string;
  line?: number;
  column?: number;
  field?: string;
  reason?: string;
  problem?: string;
  values?: Record<string, string>;
  first_line?: number;
}

const kFileTexts: Record<Lang, Record<string, string>> = {
  en: {
    where: "{file}:{line}",
    "where.field": "{file}:{line}, {field}",
    "problem.syntax": "not valid TOML at line {line}, column {column}: {reason}",
    "problem.missing": "missing",
    "problem.empty": "must not be empty",
    "problem.duplicate": "the same as on line {first_line}; each must be different",
    "problem.unreadable": "the file cannot be read",
    "problem.unknown_key": "not a key this place has (expected {expected})",
    "problem.not_string": "must be text in quotes",
    "problem.not_string_list": 'must be a list of texts, e.g. ["a", "b"]',
    "problem.not_table": 'must be a table, e.g. { key = "value" }',
    "problem.not_table_list": "must be a list of tables",
    "problem.not_boolean": "must be true or false",
    "problem.not_integer": "must be a whole number",
    "problem.out_of_range": "must be between {min} and {max}",
    "problem.no_words": "has no words to match (only punctuation, spaces or emoji)",
    "problem.too_few_examples": "needs at least {min} examples (has {has})",
    "problem.too_many_examples": "has more than {max} examples ({has})",
    "problem.too_few_intents": "needs at least {min} intents (has {has})",
    "problem.too_many_intents": "has more than {max} intents ({has})",
    "problem.one_action": "must have exactly one of {expected}",
    "problem.unknown_action": "is not an action (expected {expected})",
    "problem.handoff_not_true": "must be true (leave the action out to not hand off)",
    "problem.human_hands_off": "the intent “human” always hands off; it cannot have another action",
    "problem.bad_name": "“{name}” is not a valid name (letters, digits, _ and - only)",
    "problem.bad_param_name": "“{name}” is not a parameter name (letters, digits and _ only)",
    "problem.bad_target": "“{value}” is not a step name or flow/step",
    "problem.bad_language": "“{value}” is not a language code (two or three lower-case letters, e.g. en, zh)",
    "problem.no_default_language": "has no text in the default language “{language}” (used when the visitor's language has none)",
    "problem.not_text": 'must be text, or a table of languages, e.g. { en = "…", zh = "…" }',
    "problem.not_handoff": "must be a group name, or true for any agent",
    "problem.unclosed_brace": "has a “{” without “}” (write {{ for a brace)",
    "problem.stray_brace": "has a “}” without “{” (write }} for a brace)",
    "problem.params_not_allowed": "cannot use {parameters} here",
    "problem.defined_twice": "this name is already defined in {other_file}",
    "problem.duplicate_row": "the same key as another row (case and spaces are ignored)",
    "problem.second_default": "flow {flow} is already the default; there can be only one",
    "problem.bad_pattern": "not a valid regular expression: {detail}",
    "problem.pattern_matches_empty": "matches an empty message, so every answer would be accepted",
    "problem.two_actions": "a step does one thing; this one has {first} and {second}",
    "problem.question_missing": "the step waits for an answer, so it needs a message that asks",
    "problem.message_missing": "the step ends the flow without an action, so it needs a message",
    "problem.unknown_flow": "there is no flow named {flow}",
    "problem.unknown_node": "flow {flow} has no step named {node}",
    "problem.unknown_table": "there is no table named {table}",
    "problem.unknown_param": "{{name}} is not captured anywhere (no capture.param or lookup.into of that name)",
    "problem.forwarding_cycle": "steps forward in a circle without waiting for the visitor: {circle}",
    "problem.not_list_of_lists": 'must be a list of word groups, e.g. [["shipping", "postage"]]',
    "problem.too_few_words": "a group needs at least {min} words",
    "problem.not_one_word": "one English word each, letters only",
  },
  zh: {
    where: "{file} 第 {line} 行",
    "where.field": "{file} 第 {line} 行，{field}",
    "problem.syntax": "不是有效的 TOML：第 {line} 行第 {column} 列有语法错误（{reason}）。",
    "problem.missing": "缺少这一项，请填写。",
    "problem.empty": "不能为空。",
    "problem.duplicate": "与第 {first_line} 行的重复，须各不相同。",
    "problem.unreadable": "无法读取这个文件。",
    "problem.unknown_key": "这里没有这个键（可用的键：{expected}）。",
    "problem.not_string": "须为文字（用引号括起来）。",
    "problem.not_string_list": '须为文字列表，例如 ["甲", "乙"]。',
    "problem.not_table": '须为表，例如 { 键 = "值" }。',
    "problem.not_table_list": "须为表的列表。",
    "problem.not_boolean": "须为 true 或 false。",
    "problem.not_integer": "须为整数。",
    "problem.out_of_range": "须在 {min} 到 {max} 之间。",
    "problem.no_words": "没有可匹配的词（只有标点、空格或表情）。",
    "problem.too_few_examples": "至少需要 {min} 个例句（现有 {has} 个）。",
    "problem.too_many_examples": "例句不能超过 {max} 个（现有 {has} 个）。",
    "problem.too_few_intents": "至少需要 {min} 个意图（现有 {has} 个）。",
    "problem.too_many_intents": "意图不能超过 {max} 个（现有 {has} 个）。",
    "problem.one_action": "只能有 {expected} 中的一项。",
    "problem.unknown_action": "不是可用的动作（可用：{expected}）。",
    "problem.handoff_not_true": "须为 true（不转人工时请删去 action）。",
    "problem.human_hands_off": "意图 human 总是转人工，不能设置其他动作。",
    "problem.bad_name": "“{name}”不是有效的名称（只能用字母、数字、_ 和 -）。",
    "problem.bad_param_name": "“{name}”不是有效的参数名（只能用字母、数字和 _）。",
    "problem.bad_target": "“{value}”不是步骤名，也不是“流程/步骤”。",
    "problem.bad_language": "“{value}”不是语言代码（两三个小写字母，如 en、zh）。",
    "problem.no_default_language": "缺少默认语言“{language}”的文字（访客的语言没有文字时使用）。",
    "problem.not_text": '须为文字，或按语言写的表，例如 { en = "…", zh = "…" }。',
    "problem.not_handoff": "须为分组名称，或 true（任意客服）。",
    "problem.unclosed_brace": "有“{”却没有“}”（要写花括号本身请用 {{）。",
    "problem.stray_brace": "有“}”却没有“{”（要写花括号本身请用 }}）。",
    "problem.params_not_allowed": "这里不能使用 {参数}。",
    "problem.defined_twice": "这个名称已在 {other_file} 中定义过。",
    "problem.duplicate_row": "与另一行的键相同（不区分大小写和空格）。",
    "problem.second_default": "流程 {flow} 已是默认流程，默认流程只能有一个。",
    "problem.bad_pattern": "不是有效的正则表达式（Perl 语法；{detail}）。",
    "problem.pattern_matches_empty": "能匹配空消息，任何回答都会被接受。",
    "problem.two_actions": "一个步骤只能做一件事，这个步骤同时有 {first} 和 {second}。",
    "problem.question_missing": "这个步骤等待访客回答，须有提问的 message。",
    "problem.message_missing": "这个步骤不做任何动作就结束流程，须有要说的 message。",
    "problem.unknown_flow": "没有名为 {flow} 的流程。",
    "problem.unknown_node": "流程 {flow} 中没有名为 {node} 的步骤。",
    "problem.unknown_table": "没有名为 {table} 的表。",
    "problem.unknown_param": "参数 {{name}} 没有在任何地方取得（没有同名的 capture.param 或 lookup.into）。",
    "problem.forwarding_cycle": "这些步骤互相跳转成环，从不等待访客：{circle}。",
    "problem.not_list_of_lists": '须为词组的列表，例如 [["运费", "邮费"]]。',
    "problem.too_few_words": "每组至少需要 {min} 个词。",
    "problem.not_one_word": "每项须为一个英文单词（仅字母）。",
    // A code the page does not know (or none, from an older server): the plugin's English, said as such.
    other: "插件的说明（英文）：{reason}",
  },
};

const basename = (path: string | undefined) => (path ?? "").split("/").pop() ?? "";

export function botFileRefusalText(error: BotFileRefusal, lang: Lang): { reason: string; where: string } {
  const texts = kFileTexts[lang];
  const values: Record<string, string | number> = {
    ...(error.values ?? {}),
    file: basename(error.file),
    line: error.line ?? "",
    column: error.column ?? "",
    field: error.field ?? "",
    reason: error.reason ?? error.message ?? "",
    first_line: error.first_line ?? error.values?.first_line ?? "",
  };
  if (error.values?.other_file) values.other_file = basename(error.values.other_file);
  const key = `problem.${error.problem}`;
  const known = error.problem && Object.hasOwn(texts, key) ? texts[key] : undefined;
  const reason = known ? format(known, values) : texts.other ? format(texts.other, values) : String(values.reason);
  const where = !error.line ? (error.field ?? "") : format(texts[error.field ? "where.field" : "where"], values);
  return { reason, where };
}
