/** @jsxImportSource react */
// The Audit log page: who changed what and when, newest first, filtered by action
// and by person, a page at a time ("Show older entries" follows next_cursor). Every
// text from the server (names, targets, summaries) is rendered as text. What was
// changed and what happened are worded here from the entry's object and detail codes
// (docs/protocol.md); an entry without them, or with a code this page does not know,
// shows the server's English target and summary.
import { useCallback, useEffect, useState } from "react";
import { ApiError } from "../api";
import type { Lang } from "../i18n";
import type { AgentRow, AuditEntry, PagesApi } from "./api";
import type { PT, PageKey } from "./text";
import { PageHead, useLoadTurns } from "./ui";

export const AUDIT_ACTIONS = [
  "routing.saved",
  "routing.restored",
  "agent.created",
  "agent.updated",
  "agent.password_reset",
  "agent.disabled",
  "kb.saved",
  "intents.saved",
  "flows.saved",
  "canned_reply.created",
  "canned_reply.updated",
  "canned_reply.deleted",
  "widget.saved",
  "group.saved",
  "group.deleted",
  "unanswered.attached",
  "unanswered.created",
  "unanswered.dismissed",
  "unanswered.reopened",
  "agent.signed_out",
  "visitor.exported",
  "visitor.erased",
  "retention.saved",
  "retention.applied",
] as const;

const PAGE_SIZE = 50;

// An action as people read it; an action this page does not know yet (a newer
// server's) shows as its code.
export function actionLabel(t: PT, action: string): string {
  return (AUDIT_ACTIONS as readonly string[]).includes(action) ? t(`audit.action.${action}` as PageKey) : action;
}

// The values of an entry's object or detail, read defensively: a value of an
// unexpected type is treated as missing, and the entry falls back to its English.
type Values = Record<string, unknown>;
const text = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const count = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined;

// A list of names (rules, groups) as one text; "… and N more" when the server cut it.
function names(t: PT, list: string[], more?: unknown): string {
  if (list.length === 0) return t("audit.d.none");
  const joined = list.join(t("audit.d.listJoin"));
  const n = count(more);
  return n ? t("audit.d.more", { list: joined, n }) : joined;
}

// What was changed, in the page's language; undefined for a kind this page does not
// know or values it cannot read (the caller shows the English target).
export function objectText(t: PT, object: Values | undefined): string | undefined {
  if (!object) return undefined;
  switch (object.kind) {
    case "routing_graph":
    case "widget":
    case "retention":
      return t(`audit.object.${object.kind}` as PageKey);
    case "agent": {
      const name = text(object.name), email = text(object.email);
      return name !== undefined && email !== undefined ? t("audit.object.agent", { name, email }) : undefined;
    }
    case "bot_file": {
      const file = text(object.file);
      return file !== undefined ? t("audit.object.bot_file", { file }) : undefined;
    }
    case "canned_reply": {
      const shortcut = text(object.shortcut);
      return shortcut !== undefined ? t("audit.object.canned_reply", { shortcut }) : undefined;
    }
    case "question": {
      const q = text(object.text);
      return q !== undefined ? t("audit.object.question", { text: q }) : undefined;
    }
    case "group":
    case "visitor": {
      const id = text(object.id);
      return id !== undefined ? t(`audit.object.${object.kind}` as PageKey, { id }) : undefined;
    }
  }
  return undefined;
}

const roleText = (t: PT, role: string) =>
  role === "admin" ? t("audit.d.role.admin") : role === "agent" ? t("audit.d.role.agent") : role;

// One {field, from, to} of an agent's change.
function agentValue(t: PT, field: string, v: unknown): string | undefined {
  if (field === "groups") {
    const list = strings(v);
    return list && names(t, list);
  }
  if (field === "capacity") return count(v)?.toString();
  const s = text(v);
  return s !== undefined && field === "role" ? roleText(t, s) : s;
}

// A config value of a settings change as written in the file (JSON), "none" when absent.
const settingValue = (t: PT, v: unknown) => (v === null || v === undefined ? t("audit.d.none") : JSON.stringify(v));

type Change = { field: string; from: unknown; to: unknown };
function changes(v: unknown): Change[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: Change[] = [];
  for (const c of v) {
    if (!c || typeof c !== "object" || typeof (c as Values).field !== "string") return undefined;
    out.push(c as Change);
  }
  return out;
}

// What happened, in the page's language; undefined for a code this page does not know
// or values it cannot read (the caller shows the English summary).
export function detailText(t: PT, detail: Values | undefined): string | undefined {
  if (!detail) return undefined;
  const join = (parts: string[]) => (parts.length ? parts.join(t("audit.d.join")) : t("audit.d.noChange"));
  switch (detail.code) {
    case "routing.rules": {
      const n = count(detail.rules);
      if (n === undefined) return undefined;
      let out = t("audit.d.rules", { n });
      const parts: string[] = [];
      for (const key of ["added", "removed", "changed"] as const) {
        const list = strings(detail[key]);
        if (list?.length) parts.push(t(`audit.d.${key}`, { names: names(t, list, detail[`${key}_more`]) }));
      }
      if (detail.reordered === true) parts.push(t("audit.d.reordered"));
      if (detail.fallback_changed === true) parts.push(t("audit.d.fallback"));
      if (detail.layout_only === true) parts.push(t("audit.d.layoutOnly"));
      if (detail.no_change === true) parts.push(t("audit.d.noChange"));
      if (parts.length) out = t("audit.d.head", { head: out, rest: parts.join(t("audit.d.join")) });
      const version = count(detail.version);
      return version === undefined ? out : t("audit.d.head", { head: t("audit.d.version", { version }), rest: out });
    }
    case "agent.new": {
      const role = text(detail.role), groups = strings(detail.groups), capacity = count(detail.capacity);
      if (role === undefined || !groups || capacity === undefined) return undefined;
      return t("audit.d.agentNew", { role: roleText(t, role), groups: names(t, groups), capacity });
    }
    case "agent.changes": {
      const list = changes(detail.changes);
      if (!list) return undefined;
      const parts: string[] = [];
      for (const c of list) {
        const from = agentValue(t, c.field, c.from), to = agentValue(t, c.field, c.to);
        const known = ["name", "email", "role", "groups", "capacity"].includes(c.field);
        if (!known || from === undefined || to === undefined) return undefined;
        parts.push(t("audit.d.fieldChange", { field: t(`audit.d.field.${c.field}` as PageKey), from, to }));
      }
      if (detail.skills_changed === true) parts.push(t("audit.d.skillsChanged"));
      if (detail.password_reset === true) parts.push(t("audit.d.passwordReset"));
      return join(parts);
    }
    case "agent.cannot_sign_in":
      return t("audit.d.cannotSignIn");
    case "agent.signed_out_everywhere":
      return t("audit.d.signedOutEverywhere");
    case "canned_reply.new": {
      const value = text(detail.text);
      return value === undefined ? undefined : t("audit.d.cannedNew", { text: value });
    }
    case "canned_reply.changes": {
      const list = changes(detail.changes);
      if (!list) return undefined;
      const parts: string[] = [];
      for (const c of list) {
        const from = text(c.from), to = text(c.to);
        if ((c.field !== "shortcut" && c.field !== "text") || from === undefined || to === undefined) return undefined;
        parts.push(t("audit.d.fieldChange", { field: t(`audit.d.field.${c.field}`), from, to }));
      }
      return join(parts);
    }
    case "canned_reply.deleted":
      return t("audit.d.cannedDeleted");
    case "question.attached":
    case "question.new_entry": {
      const entry = text(detail.entry), file = text(detail.file);
      if (entry === undefined || file === undefined) return undefined;
      return t(detail.code === "question.attached" ? "audit.d.questionAttached" : "audit.d.questionNewEntry", { entry, file });
    }
    case "question.dismissed": {
      if (detail.not_kept === true) return t("audit.d.questionNotKept");
      const file = text(detail.file);
      return file === undefined ? t("audit.d.questionDismissed") : t("audit.d.questionDismissedIn", { file });
    }
    case "question.reopened": {
      const file = text(detail.file);
      return file === undefined ? t("audit.d.questionReopened") : t("audit.d.questionReopenedIn", { file });
    }
    case "file.replaced": {
      const lines = count(detail.lines), bytes = count(detail.bytes);
      return lines === undefined || bytes === undefined ? undefined : t("audit.d.fileReplaced", { lines, bytes });
    }
    case "settings.fields": {
      const list = changes(detail.changes);
      if (!list) return undefined;
      return join(list.map((c) => t("audit.d.fieldChange", { field: c.field, from: settingValue(t, c.from), to: settingValue(t, c.to) })));
    }
    case "visitor.exported": {
      const n = count(detail.conversations);
      return n === undefined ? undefined : t("audit.d.exported", { n });
    }
    case "visitor.erased": {
      const conversations = count(detail.conversations), messages = count(detail.messages), files = count(detail.files);
      if (conversations === undefined || messages === undefined || files === undefined) return undefined;
      return t("audit.d.erased", { conversations, messages, files });
    }
    case "retention.applied": {
      const parts: string[] = [];
      const days = count(detail.closed_days);
      if (days !== undefined)
        parts.push(
          t("audit.d.retentionClosed", {
            days,
            conversations: count(detail.conversations) ?? 0,
            messages: count(detail.messages) ?? 0,
            files: count(detail.files) ?? 0,
            unanswered: count(detail.unanswered_entries) ?? 0,
          }),
        );
      const auditDays = count(detail.audit_days);
      if (auditDays !== undefined) parts.push(t("audit.d.retentionAudit", { days: auditDays, n: count(detail.audit_entries) ?? 0 }));
      return parts.length ? join(parts) : undefined;
    }
  }
  return undefined;
}

export const formatWhen = (ms: number, lang: Lang) =>
  new Date(ms).toLocaleString(lang === "zh" ? "zh-CN" : "en-GB", { dateStyle: "medium", timeStyle: "medium" });

export function AuditPage({ t, lang, api, onExpired }: { t: PT; lang: Lang; api: PagesApi; onExpired: (e: unknown) => void }) {
  const [action, setAction] = useState("");
  const [actor, setActor] = useState("");
  const [people, setPeople] = useState<AgentRow[]>([]);
  const [entries, setEntries] = useState<AuditEntry[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  const [notSupported, setNotSupported] = useState(false);
  const [busy, setBusy] = useState(false);

  const fail = useCallback(
    (e: unknown) => {
      const status = (e as ApiError).status;
      if (status === 401) return onExpired(e);
      if (status === 501) return setNotSupported(true);
      setError((e as Error).message);
    },
    [onExpired],
  );

  // A filter changed while an earlier list was on its way: that list, when it comes,
  // must not replace the new filter's (nor its older pages be added to it).
  const { begin, current, isLatest } = useLoadTurns();
  // The first page for the current filters.
  const load = useCallback(async () => {
    const mine = begin();
    setBusy(true);
    setError(null);
    try {
      const page = await api.audit({ action: action || undefined, actor: actor || undefined, limit: PAGE_SIZE });
      if (!isLatest(mine)) return;
      setEntries(page.entries);
      setNext(page.next_cursor);
    } catch (e) {
      if (isLatest(mine)) fail(e);
    } finally {
      if (isLatest(mine)) setBusy(false);
    }
  }, [api, action, actor, fail, begin, isLatest]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    api.agents().then(setPeople, () => setPeople([]));
  }, [api]);

  const more = async () => {
    if (!next) return;
    const mine = current();
    setBusy(true);
    try {
      const page = await api.audit({ action: action || undefined, actor: actor || undefined, limit: PAGE_SIZE, cursor: next });
      if (!isLatest(mine)) return;
      setEntries((shown) => [...(shown ?? []), ...page.entries]);
      setNext(page.next_cursor);
    } catch (e) {
      if (isLatest(mine)) fail(e);
    } finally {
      if (isLatest(mine)) setBusy(false);
    }
  };

  const filtered = action !== "" || actor !== "";
  return (
    <section className="ppage" aria-labelledby="audit-title">
      <PageHead id="audit-title" title={t("audit.title")} lead={t("audit.lead")}>
        {entries && <span className="pcount">{t("audit.shown", { n: entries.length })}</span>}
        <button type="button" onClick={() => void load()} disabled={busy}>
          {t("audit.refresh")}
        </button>
      </PageHead>
      {notSupported ? (
        <p className="banner banner-info" role="status">
          {t("audit.notSupported")}
        </p>
      ) : (
        <>
          <div className="audit-filters">
            <label className="pfield">
              <span>{t("audit.filterAction")}</span>
              <select value={action} onChange={(e) => setAction(e.target.value)}>
                <option value="">{t("audit.anyAction")}</option>
                {AUDIT_ACTIONS.map((a) => (
                  <option key={a} value={a}>
                    {actionLabel(t, a)}
                  </option>
                ))}
              </select>
            </label>
            <label className="pfield">
              <span>{t("audit.filterActor")}</span>
              <select value={actor} onChange={(e) => setActor(e.target.value)}>
                <option value="">{t("audit.anyActor")}</option>
                {people.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.name} ({p.email})
                  </option>
                ))}
              </select>
            </label>
          </div>
          {error && (
            <p className="load-error" role="alert">
              {t("common.loadFailed", { message: error })}
            </p>
          )}
          {!entries && !error && <p className="loading">{t("common.loading")}</p>}
          {entries && entries.length === 0 && <p className="muted empty">{filtered ? t("audit.noMatch") : t("audit.empty")}</p>}
          {entries && entries.length > 0 && (
            <div className="card ptable-wrap">
              <table className="ptable audit-table" aria-label={t("audit.title")}>
                <thead>
                  <tr>
                    <th scope="col">{t("audit.col.when")}</th>
                    <th scope="col">{t("audit.col.who")}</th>
                    <th scope="col">{t("audit.col.what")}</th>
                    <th scope="col">{t("audit.col.target")}</th>
                    <th scope="col">{t("audit.col.summary")}</th>
                  </tr>
                </thead>
                <tbody>
                  {entries.map((e) => (
                    <tr key={e.seq} data-action={e.action}>
                      <td className="num">
                        <time dateTime={new Date(e.at).toISOString()}>{formatWhen(e.at, lang)}</time>
                      </td>
                      <td>
                        <span className="person-name">{e.actor.name || e.actor.id}</span>{" "}
                        <span className={`pill role-${e.actor.role === "admin" ? "admin" : "agent"}`}>
                          {e.actor.role === "admin" ? t("audit.roleAdmin") : t("audit.roleAgent")}
                        </span>
                      </td>
                      <td>{actionLabel(t, e.action)}</td>
                      <td className="audit-target">{objectText(t, e.object) ?? e.target}</td>
                      <td className="audit-summary">{detailText(t, e.detail) ?? e.summary}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {next && (
            <button type="button" className="audit-more" onClick={() => void more()} disabled={busy}>
              {busy ? t("audit.loadingMore") : t("audit.more")}
            </button>
          )}
        </>
      )}
    </section>
  );
}
