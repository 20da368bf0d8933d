/** @jsxImportSource react */
// A visitor's data on request, from the conversation they wrote in: "Export
// visitor data" downloads everything stored about them as JSON (GET
// …/visitors/VID/data), "Erase visitor data" deletes it (DELETE, after a
// confirmation that names what goes). Admins only; the server checks it too.
// The visitor's name is rendered as text, never as HTML.
import { useMemo, useState } from "react";
import { base, call, type Session } from "../api";
import type { Lang } from "../i18n";
import "./pages.css";

const en = {
  title: "Visitor data",
  who: "Visitor: {who}",
  nameAndId: "{name} ({id})",
  help: "For a visitor's request to see or delete their data.",
  export: "Export visitor data",
  exporting: "Exporting…",
  exported: "Downloaded {file}: {n} conversation(s).",
  erase: "Erase visitor data",
  "confirm.title": "Erase the data of {name}?",
  "confirm.body":
    "This deletes, for good, every conversation of {who}: their messages and agents' answers, the files sent in them, their name, email and page details, and the search entries. The dashboard's counts stay, without anything that names them. A conversation still with the bot or waiting in the queue is closed first. The erasure is recorded in the audit log.",
  "confirm.erase": "Erase for good",
  "confirm.cancel": "Cancel",
  erasing: "Erasing…",
  erased: "Erased {conversations} conversation(s), {messages} message(s) and {files} file(s).",
  failed: "Failed: {message}",
  open: "Not erased: an agent is still chatting with this visitor. Once the agent has closed the conversation in the console, erase again.",
};
type Key = keyof typeof en;
const zh: Record<Key, string> = {
  title: "访客数据",
  who: "访客：{who}",
  nameAndId: "{name}（{id}）",
  help: "用于处理访客查看或删除其数据的请求。",
  export: "导出访客数据",
  exporting: "正在导出…",
  exported: "已下载 {file}：{n} 个会话。",
  erase: "删除访客数据",
  "confirm.title": "删除 {name} 的数据？",
  "confirm.body":
    "将永久删除 {who} 的所有会话：其消息和客服的回复、会话中发送的文件、姓名、邮箱和页面信息，以及搜索索引。看板中的统计数字会保留，但不含任何能识别此人的信息。仍由机器人接待或在排队的会话会先被关闭。此操作会记录在审计日志中。",
  "confirm.erase": "永久删除",
  "confirm.cancel": "取消",
  erasing: "正在删除…",
  erased: "已删除 {conversations} 个会话、{messages} 条消息和 {files} 个文件。",
  failed: "失败：{message}",
  open: "未删除：仍有客服在与该访客对话。请客服在工作台关闭该会话后，再删除一次。",
};
type Tr = (key: Key, values?: Record<string, string | number>) => string;
function translator(lang: Lang): Tr {
  const table = lang === "zh" ? zh : en;
  return (key, values) => (table[key] ?? en[key]).replace(/\{(\w+)\}/g, (w, n: string) => (values && n in values ? String(values[n]) : w));
}

export function VisitorData({ session, lang, visitor, onErased }: { session: Session; lang: Lang; visitor: { id: string; name?: string }; onErased: () => void }) {
  const t = useMemo(() => translator(lang), [lang]);
  const [busy, setBusy] = useState<"export" | "erase" | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [note, setNote] = useState<{ text: string; problem: boolean } | null>(null);
  const name = visitor.name || visitor.id;
  // A visitor who gave no name is known by their id alone, said once.
  const who = visitor.name ? t("nameAndId", { name: visitor.name, id: visitor.id }) : visitor.id;
  const path = `${base(session.tenant)}/visitors/${encodeURIComponent(visitor.id)}/data`;

  const exportData = async () => {
    setBusy("export");
    setNote(null);
    try {
      const { response, json } = await call("GET", path, { session });
      if (!response.ok) throw new Error(json?.error?.message ?? `HTTP ${response.status}`);
      const file = `visitor-${visitor.id}.json`;
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([JSON.stringify(json, null, 2)], { type: "application/json" }));
      link.download = file;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      setNote({ text: t("exported", { file, n: json.conversations?.length ?? 0 }), problem: false });
    } catch (e) {
      setNote({ text: t("failed", { message: (e as Error).message }), problem: true });
    } finally {
      setBusy(null);
    }
  };

  const erase = async () => {
    setBusy("erase");
    setNote(null);
    try {
      const { response, json } = await call("DELETE", path, { session });
      // Refused while an agent holds a conversation of the visitor (the server closes
      // the ones with the bot or in the queue itself): said in the admin's language.
      if (response.status === 409 && json?.error?.code === "conversation_open") {
        setConfirming(false);
        return setNote({ text: t("open"), problem: true });
      }
      if (!response.ok) throw new Error(json?.error?.message ?? `HTTP ${response.status}`);
      setConfirming(false);
      setNote({ text: t("erased", json.erased), problem: false });
      onErased();
    } catch (e) {
      setConfirming(false);
      setNote({ text: t("failed", { message: (e as Error).message }), problem: true });
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="visitor-data" aria-labelledby="visitor-data-title" style={{ border: "1px solid var(--line)", borderRadius: 8, padding: "10px 12px", margin: "10px 0" }}>
      <h4 id="visitor-data-title" style={{ margin: "0 0 4px", fontSize: 13.5 }}>
        {t("title")}
      </h4>
      <p className="muted" style={{ margin: "0 0 8px", fontSize: 12.5 }}>
        {t("who", { who })} · {t("help")}
      </p>
      <div style={{ display: "flex", gap: 8, flexWrap: "wrap" }}>
        <button type="button" disabled={busy !== null} onClick={() => void exportData()}>
          {busy === "export" ? t("exporting") : t("export")}
        </button>
        <button type="button" className="danger" disabled={busy !== null} onClick={() => setConfirming(true)}>
          {t("erase")}
        </button>
      </div>
      {note && (
        <p className={note.problem ? "field-problem" : "muted"} role={note.problem ? "alert" : "status"} style={{ margin: "8px 0 0" }}>
          {note.text}
        </p>
      )}
      {confirming && (
        <div className="pdialog-backdrop">
          <div className="pdialog card" role="alertdialog" aria-modal="true" aria-labelledby="erase-title" aria-describedby="erase-body" onKeyDown={(e) => e.key === "Escape" && setConfirming(false)} style={{ padding: 18, maxWidth: 520 }}>
            <h3 id="erase-title" style={{ marginTop: 0, fontSize: 15 }}>
              {t("confirm.title", { name })}
            </h3>
            <p id="erase-body" style={{ fontSize: 13.5, lineHeight: 1.5 }}>
              {t("confirm.body", { who })}
            </p>
            <div style={{ display: "flex", gap: 8, justifyContent: "flex-end" }}>
              <button type="button" autoFocus onClick={() => setConfirming(false)} disabled={busy !== null}>
                {t("confirm.cancel")}
              </button>
              <button type="button" className="danger" onClick={() => void erase()} disabled={busy !== null}>
                {busy === "erase" ? t("erasing") : t("confirm.erase")}
              </button>
            </div>
          </div>
        </div>
      )}
    </section>
  );
}
