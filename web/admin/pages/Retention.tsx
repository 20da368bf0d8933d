/** @jsxImportSource react */
// How long the tenant keeps closed conversations and audit entries ([retention]
// in its file, GET/PUT …/retention). 0 keeps them for ever. The server checks the
// values and answers which field it refused; a save is recorded in the audit log.
import { FormEvent, useEffect, useMemo, useRef, useState } from "react";
import { base, call, type Session } from "../api";
import type { Lang } from "../i18n";
import { serverErrorText } from "./server-errors";

const en = {
  title: "Keeping data",
  help: "Closed conversations (their messages and files) and audit entries are deleted once older than these periods; 0 keeps them for ever.",
  conversations: "Delete closed conversations after (days)",
  audit: "Delete audit entries after (days)",
  save: "Save",
  saving: "Saving…",
  saved: "Saved.",
  failed: "Not saved: {message}",
  loadFailed: "Could not load: {message}",
  loading: "Loading…",
};
type Key = keyof typeof en;
const zh: Record<Key, string> = {
  title: "数据保留",
  help: "已关闭的会话（含消息和文件）及审计日志条目超过以下天数后会被删除；填 0 表示永久保留。",
  conversations: "已关闭会话保留天数",
  audit: "审计日志保留天数",
  save: "保存",
  saving: "正在保存…",
  saved: "已保存。",
  failed: "未保存：{message}",
  loadFailed: "无法加载：{message}",
  loading: "正在加载…",
};

// The server's refusal in the page's language (its English where not known).
const refusal = (status: number, json: any, lang: Lang) => serverErrorText({ code: json?.error?.code, field: json?.error?.field, message: json?.error?.message ?? `HTTP ${status}` }, lang);

type Periods = { closed_conversations_days: number; audit_days: number };

export function Retention({ session, lang }: { session: Session; lang: Lang }) {
  const t = useMemo(() => {
    const table = lang === "zh" ? zh : en;
    return (key: Key, values?: Record<string, string>) => (table[key] ?? en[key]).replace(/\{(\w+)\}/g, (w, n: string) => values?.[n] ?? w);
  }, [lang]);
  const [periods, setPeriods] = useState<Periods | null>(null);
  const [etag, setEtag] = useState("");
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<{ text: string; problem: boolean } | null>(null);
  const path = `${base(session.tenant)}/retention`;
  // Loaded once: switching the page's language keeps what is being edited.
  const words = useRef({ t, lang });
  words.current = { t, lang };
  useEffect(() => {
    const { t, lang } = words.current;
    call("GET", path, { session }).then(
      ({ response, json }) => {
        if (!response.ok) return setNote({ text: t("loadFailed", { message: refusal(response.status, json, lang) }), problem: true });
        setPeriods(json);
        setEtag(response.headers.get("ETag") ?? "");
      },
      (e: Error) => setNote({ text: t("loadFailed", { message: e.message }), problem: true }),
    );
  }, [path, session]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!periods) return;
    setBusy(true);
    setNote(null);
    try {
      const { response, json } = await call("PUT", path, { session, body: periods, headers: etag ? { "If-Match": etag } : {} });
      if (!response.ok) return setNote({ text: t("failed", { message: refusal(response.status, json, lang) }), problem: true });
      const again = await call("GET", path, { session });
      if (again.response.ok) {
        setPeriods(again.json);
        setEtag(again.response.headers.get("ETag") ?? "");
      }
      setNote({ text: t("saved"), problem: false });
    } catch (e) {
      // The server cannot be reached: said, and the button is free again.
      setNote({ text: t("failed", { message: (e as Error).message }), problem: true });
    } finally {
      setBusy(false);
    }
  };
  const field = (key: keyof Periods, label: string) => (
    <label className="pfield retention-field">
      <span>{label}</span>
      <input type="number" min={0} max={3650} step={1} required value={periods?.[key] ?? 0} onChange={(e) => periods && setPeriods({ ...periods, [key]: Number(e.target.value) })} />
    </label>
  );
  return (
    <form className="card conversations-card" aria-labelledby="retention-title" onSubmit={submit}>
      <h3 id="retention-title" style={{ fontSize: 14, margin: 0 }}>
        {t("title")}
      </h3>
      <p className="help">{t("help")}</p>
      {!periods && !note && <p className="muted">{t("loading")}</p>}
      {periods && (
        <div style={{ display: "flex", gap: 14, alignItems: "end", flexWrap: "wrap" }}>
          {field("closed_conversations_days", t("conversations"))}
          {field("audit_days", t("audit"))}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t("saving") : t("save")}
          </button>
        </div>
      )}
      {note && (
        <p className={note.problem ? "field-problem" : "muted"} role={note.problem ? "alert" : "status"} style={{ margin: "8px 0 0" }}>
          {note.text}
        </p>
      )}
    </form>
  );
}
