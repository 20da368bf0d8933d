// The texts of the Knowledge page's merge of a save refused because someone saved
// meanwhile (BotFileMerge.tsx), English and Chinese (apart from text.ts so the
// pages' tables merge cleanly).
import { Lang, translate } from "../../shared/i18n";

const en = {
  "merge.kb.merged": "Someone else saved the knowledge base since you opened it (another admin, an unanswered question attached or made into an entry, or a hand edit). Nothing is saved yet: their changes are merged into yours below. Check, then save.",
  "merge.kb.conflicts": "Someone else saved the knowledge base since you opened it (another admin, an unanswered question attached or made into an entry, or a hand edit). Nothing is saved yet: their changes are merged into yours, but {n} entries were changed both here and by them. Choose a version of each below, then save.",
  "merge.kb.conflicts.one": "Someone else saved the knowledge base since you opened it (another admin, an unanswered question attached or made into an entry, or a hand edit). Nothing is saved yet: their changes are merged into yours, but 1 entry was changed both here and by them. Choose a version of it below, then save.",
  "merge.intents.merged": "Someone else saved the intents since you opened them (another admin, or a hand edit). Nothing is saved yet: their changes are merged into yours below. Check, then save.",
  "merge.intents.conflicts": "Someone else saved the intents since you opened them (another admin, or a hand edit). Nothing is saved yet: their changes are merged into yours, but {n} intents were changed both here and by them. Choose a version of each below, then save.",
  "merge.intents.conflicts.one": "Someone else saved the intents since you opened them (another admin, or a hand edit). Nothing is saved yet: their changes are merged into yours, but 1 intent was changed both here and by them. Choose a version of it below, then save.",
  "merge.added": "Added by them: {ids}",
  "merge.changed": "Changed by them: {ids}",
  "merge.removed": "Removed by them: {ids}",
  "merge.noName": "(no id)",
  "merge.goToFirst": "Go to the first choice",
  "merge.failed": "Someone else saved since you opened this, and their version could not be read to merge with yours ({message}). Your changes are not saved.",
  "merge.pending": "Choose a version of each entry changed on both sides before saving.",
  "merge.pill.added": "Added by someone else",
  "merge.pill.changed": "Changed by someone else",
  "merge.conflictTitle": "{name}: changed here and by someone else",
  "merge.conflictLead": "Both versions are shown; nothing is combined. Choose the one to keep (you can edit it afterwards).",
  "merge.theirs": "Theirs, saved now",
  "merge.mine": "Yours, not saved",
  "merge.deleted": "Deleted",
  "merge.differs": "differs",
  "merge.takeTheirs": "Take theirs",
  "merge.keepMine": "Keep mine",
  "merge.takeTheirsOf": "Take theirs: {name}",
  "merge.keepMineOf": "Keep mine: {name}",
  "merge.field.id": "Id",
  "merge.field.questions": "Questions",
  "merge.field.answer": "Answer",
  "merge.field.answerIn": "Answer ({lang})",
  "merge.field.tags": "Tags",
  "merge.field.other": "Other keys",
  "merge.field.name": "Intent",
  "merge.field.examples": "Examples",
  "merge.field.action": "Action",
};
type Key = keyof typeof en;
const zh: Record<Key, string> = {
  "merge.kb.merged": "您打开后，其他人保存了知识库（另一位管理员、把未解答问题关联到条目或新建为条目，或手动编辑了文件）。尚未保存任何内容：对方的修改已合并到您的修改中，见下方。请检查后保存。",
  "merge.kb.conflicts": "您打开后，其他人保存了知识库（另一位管理员、把未解答问题关联到条目或新建为条目，或手动编辑了文件）。尚未保存任何内容：对方的修改已合并到您的修改中，但有 {n} 个条目您和对方都改了。请在下方为每个条目选择一个版本，然后保存。",
  "merge.kb.conflicts.one": "您打开后，其他人保存了知识库（另一位管理员、把未解答问题关联到条目或新建为条目，或手动编辑了文件）。尚未保存任何内容：对方的修改已合并到您的修改中，但有 1 个条目您和对方都改了。请在下方选择一个版本，然后保存。",
  "merge.intents.merged": "您打开后，其他人保存了意图（另一位管理员，或手动编辑了文件）。尚未保存任何内容：对方的修改已合并到您的修改中，见下方。请检查后保存。",
  "merge.intents.conflicts": "您打开后，其他人保存了意图（另一位管理员，或手动编辑了文件）。尚未保存任何内容：对方的修改已合并到您的修改中，但有 {n} 个意图您和对方都改了。请在下方为每个意图选择一个版本，然后保存。",
  "merge.intents.conflicts.one": "您打开后，其他人保存了意图（另一位管理员，或手动编辑了文件）。尚未保存任何内容：对方的修改已合并到您的修改中，但有 1 个意图您和对方都改了。请在下方选择一个版本，然后保存。",
  "merge.added": "对方新增：{ids}",
  "merge.changed": "对方修改：{ids}",
  "merge.removed": "对方删除：{ids}",
  "merge.noName": "（无标识）",
  "merge.goToFirst": "转到第一个待选项",
  "merge.failed": "您打开后，其他人保存了修改，但无法读取对方的版本来与您的合并（{message}）。您的修改尚未保存。",
  "merge.pending": "保存前，请为双方都修改过的每个条目选择一个版本。",
  "merge.pill.added": "其他人新增",
  "merge.pill.changed": "其他人修改",
  "merge.conflictTitle": "{name}：您和其他人都修改了",
  "merge.conflictLead": "两个版本都列在下面，不会自动拼合。请选择要保留的一个（之后仍可编辑）。",
  "merge.theirs": "对方的（当前已保存）",
  "merge.mine": "您的（未保存）",
  "merge.deleted": "已删除",
  "merge.differs": "不同",
  "merge.takeTheirs": "采用对方的",
  "merge.keepMine": "保留我的",
  "merge.takeTheirsOf": "采用对方的：{name}",
  "merge.keepMineOf": "保留我的：{name}",
  "merge.field.id": "标识",
  "merge.field.questions": "问题",
  "merge.field.answer": "答案",
  "merge.field.answerIn": "答案（{lang}）",
  "merge.field.tags": "标签",
  "merge.field.other": "其他键",
  "merge.field.name": "意图",
  "merge.field.examples": "例句",
  "merge.field.action": "动作",
};

export type MT = (key: Key, values?: Record<string, string | number>) => string;
export type MergeKey = Key;
export function mergeTranslator(lang: Lang): MT {
  const table = lang === "zh" ? zh : en;
  return (key, values) => translate(table, en, key, values);
}
