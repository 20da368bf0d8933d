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
// docs/protocol.md): where (file, line, field), the plugin's reason in English and,
// where the server could tell from the text itself, a stable `problem` code. The
// page says the place and, for a known problem, the reason in its language; any
// other reason is the plugin's own words.
export interface BotFileRefusal {
  code?: string;
  message?: string;
  file?: string;
  line?: number;
  column?: number;
  field?: string;
  reason?: string;
  problem?: string;
  first_line?: number;
}

const kFileTexts: Record<Lang, Record<string, string>> = {
  en: {
    where: "{file}:{line}",
    "where.field": "{file}:{line}, {field}",
    "problem.syntax": "not valid TOML at line {line}, column {column}: {reason}",
  },
  zh: {
    where: "{file} 第 {line} 行",
    "where.field": "{file} 第 {line} 行，{field}",
    "problem.syntax": "不是有效的 TOML：第 {line} 行第 {column} 列有语法错误（{reason}）。",
    "problem.missing": "缺少这一项，请填写。",
    "problem.empty": "不能为空。",
    "problem.duplicate": "与第 {first_line} 行的重复，须各不相同。",
    // A reason only the plugin words (it gives no code): its English, said as such.
    other: "插件的说明（英文）：{reason}",
  },
};

export function botFileRefusalText(error: BotFileRefusal, lang: Lang): { reason: string; where: string } {
  const texts = kFileTexts[lang];
  const values = {
    file: (error.file ?? "").split("/").pop() ?? "",
    line: error.line ?? "",
    column: error.column ?? "",
    field: error.field ?? "",
    reason: error.reason ?? error.message ?? "",
    first_line: error.first_line ?? "",
  };
  const known = error.problem ? texts[`problem.${error.problem}`] : undefined;
  const reason = known ? format(known, values) : texts.other ? format(texts.other, values) : String(values.reason);
  const where = !error.line ? (error.field ?? "") : format(texts[error.field ? "where.field" : "where"], values);
  return { reason, where };
}
