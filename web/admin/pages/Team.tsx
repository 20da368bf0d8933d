/** @jsxImportSource react */
// The Team page: the tenant's agents with their presence and load; create (with a
// password), edit, sign out everywhere, disable. Agents written in the tenant file
// cannot be changed here (the server answers 409 for them), and say so; they can
// be signed out everywhere like any other.
import { useEffect, useState } from "react";
import { ApiError } from "../api";
import type { AgentInput, AgentRow, PagesApi } from "./api";
import type { PT } from "./text";
import { Confirm, Field, LoadState, Notice, NoticeLine, PageHead, problemText, useChange, useList, useSubmit } from "./ui";

export type AgentForm = { name: string; email: string; password: string; role: "agent" | "admin"; groups: string; skills: string; max_concurrent: string };

export const emptyAgentForm = (): AgentForm => ({ name: "", email: "", password: "", role: "agent", groups: "", skills: "", max_concurrent: "5" });

// "english:8, refunds 5" ⇄ { english: 8, refunds: 5 }; a skill without a level is
// level 5. Anything else is sent as written, for the server to refuse on the field.
export function parseSkills(text: string): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const item of splitList(text)) {
    const m = item.match(/^(.+?)\s*(?:[:=\s]\s*(\S+))?$/);
    if (!m) continue;
    const level = m[2] === undefined ? 5 : Number(m[2]);
    out[m[1].trim()] = Number.isInteger(level) ? level : (m[2] as string);
  }
  return out;
}
export const skillsText = (skills?: Record<string, number>) =>
  Object.entries(skills ?? {})
    .map(([k, v]) => `${k}:${v}`)
    .join(", ");

export const agentToForm = (a: AgentRow): AgentForm => ({
  name: a.name,
  email: a.email,
  password: "",
  role: a.role,
  groups: a.groups.join(", "),
  skills: skillsText(a.skills),
  max_concurrent: String(a.max_concurrent),
});

export const splitList = (s: string) =>
  s
    .split(/[,，\n]/)
    .map((x) => x.trim())
    .filter(Boolean);

// The body to send: everything for a new agent; for an edit only what changed
// (an empty password keeps the old one).
export function agentBody(form: AgentForm, before?: AgentRow): AgentInput {
  const max = Number(form.max_concurrent);
  const all: AgentInput = {
    name: form.name.trim(),
    email: form.email.trim(),
    role: form.role,
    groups: splitList(form.groups),
    skills: parseSkills(form.skills) as Record<string, number>,
    max_concurrent: Number.isFinite(max) && form.max_concurrent.trim() !== "" ? Math.round(max) : (form.max_concurrent as any),
  };
  if (form.password) all.password = form.password;
  if (!before) return all;
  const out: AgentInput = {};
  if (all.name !== before.name) out.name = all.name;
  if (all.email !== before.email) out.email = all.email;
  if (all.role !== before.role) out.role = all.role;
  if (JSON.stringify(all.groups) !== JSON.stringify(before.groups)) out.groups = all.groups;
  if (JSON.stringify(all.skills) !== JSON.stringify(before.skills ?? {})) out.skills = all.skills;
  if (all.max_concurrent !== before.max_concurrent) out.max_concurrent = all.max_concurrent;
  if (all.password) out.password = all.password;
  return out;
}

const kRefreshMs = 5000;

export function TeamPage({ t, api, onExpired }: { t: PT; api: PagesApi; onExpired: (e: unknown) => void }) {
  const { rows: agents, loadError, load } = useList(() => api.agents(), onExpired);
  const [editing, setEditing] = useState<{ row?: AgentRow; passwordOnly?: boolean } | null>(null);
  const [disabling, setDisabling] = useState<AgentRow | null>(null);
  const [signingOut, setSigningOut] = useState<AgentRow | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const change = useChange(setNotice, onExpired, load);
  useEffect(() => {
    void load();
    // Presence and load are live: the list refreshes while the page is in view.
    const timer = setInterval(() => {
      if (document.visibilityState === "visible") void load();
    }, kRefreshMs);
    return () => clearInterval(timer);
  }, [load]);

  const explain = (e: unknown, row: AgentRow | undefined): string => {
    const a = e as ApiError;
    if (a.status === 409 && /tenant file/.test(a.message)) return t("team.conflictFile", { name: row?.name ?? "" });
    return t("common.failed", { message: problemText(a) });
  };

  const disable = (row: AgentRow) => {
    setDisabling(null);
    void change(() => api.disableAgent(row.id), t("team.disabled", { name: row.name }), (e) => explain(e, row));
  };

  const signOut = (row: AgentRow) => {
    setSigningOut(null);
    void change(() => api.signOutAgent(row.id), t("team.signedOut", { name: row.name }), (e) => explain(e, row));
  };

  const visible = (agents ?? []).filter((a) => !a.disabled && a.status !== "disabled");
  return (
    <section className="ppage" aria-labelledby="team-title">
      <PageHead id="team-title" title={t("team.title")} lead={t("team.lead")}>
        {agents && <span className="pcount">{t("team.count", { n: visible.length })}</span>}
        <button type="button" className="primary" onClick={() => setEditing({})}>
          + {t("team.add")}
        </button>
      </PageHead>
      <NoticeLine notice={notice} onClose={() => setNotice(null)} t={t} />
      <LoadState t={t} loaded={!!agents} loadError={loadError} />
      {agents && (
        <div className="ptable-wrap card">
          <table className="ptable team-table">
            <thead>
              <tr>
                <th scope="col">{t("team.name")}</th>
                <th scope="col">{t("team.role")}</th>
                <th scope="col">{t("team.groupsSkills")}</th>
                <th scope="col">{t("team.status")}</th>
                <th scope="col">{t("team.loadHead")}</th>
                <th scope="col">
                  <span className="visually-hidden">{t("team.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {visible.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">
                    {t("team.empty")}
                  </td>
                </tr>
              )}
              {visible.map((a) => (
                <tr key={a.id} data-agent={a.email}>
                  <td>
                    <div className="person">
                      <span className="avatar" aria-hidden="true">
                        {initials(a.name)}
                      </span>
                      <div>
                        <div className="person-name">{a.name}</div>
                        <div className="muted small">{a.email}</div>
                      </div>
                    </div>
                  </td>
                  <td>
                    <span className={`pill role-${a.role}`}>{a.role === "admin" ? t("team.roleAdmin") : t("team.roleAgent")}</span>
                  </td>
                  <td>
                    {a.groups.length ? (
                      a.groups.map((g) => (
                        <span key={g} className="pill group">
                          {g}
                        </span>
                      ))
                    ) : (
                      <span className="muted">—</span>
                    )}
                    {Object.entries(a.skills ?? {}).map(([k, v]) => (
                      <span key={k} className="pill skill" title={t("team.skillOf", { skill: k, level: v })}>
                        {k} <b>{v}</b>
                      </span>
                    ))}
                  </td>
                  <td>
                    <span className={`status status-${a.status ?? "offline"}`}>
                      <span className="dot" aria-hidden="true" />
                      {statusText(t, a.status)}
                    </span>
                  </td>
                  <td className="num">{t("team.load", { open: a.open_conversations ?? 0, max: a.max_concurrent })}</td>
                  <td>
                    <div className="row-actions">
                    {a.source === "file" && (
                      <span className="pill file" title={t("team.fromFileHelp")}>
                        {t("team.fromFile")}
                      </span>
                    )}
                    <button type="button" onClick={() => setEditing({ row: a })} aria-label={t("team.editOf", { name: a.name })}>
                      {t("common.edit")}
                    </button>
                    <button type="button" onClick={() => setEditing({ row: a, passwordOnly: true })} aria-label={t("team.resetOf", { name: a.name })}>
                      {t("team.reset")}
                    </button>
                    <button type="button" onClick={() => setSigningOut(a)} aria-label={t("team.signOutOf", { name: a.name })}>
                      {t("team.signOut")}
                    </button>
                    <button type="button" className="danger" onClick={() => setDisabling(a)} aria-label={t("team.disableOf", { name: a.name })}>
                      {t("team.disable")}
                    </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <AgentDialog
          t={t}
          row={editing.row}
          passwordOnly={editing.passwordOnly}
          onCancel={() => setEditing(null)}
          onSave={async (body) => {
            const saved = editing.row ? await api.updateAgent(editing.row.id, body) : await api.createAgent(body);
            setEditing(null);
            await load();
            setNotice({
              kind: "ok",
              text: editing.passwordOnly ? t("team.resetDone", { name: saved.name }) : editing.row ? t("team.saved", { name: saved.name }) : t("team.created", { name: saved.name }),
            });
          }}
          onExpired={onExpired}
        />
      )}
      {signingOut && (
        <Confirm
          t={t}
          text={t("team.signOutAsk", { name: signingOut.name })}
          action={t("team.signOut")}
          onNo={() => setSigningOut(null)}
          onYes={() => signOut(signingOut)}
        />
      )}
      {disabling && (
        <Confirm
          t={t}
          text={t("team.disableAsk", { name: disabling.name })}
          action={t("team.disable")}
          onNo={() => setDisabling(null)}
          onYes={() => disable(disabling)}
        />
      )}
    </section>
  );
}

// "Lin Mei 林梅" → "LM", "Dana" → "DA", "林梅" → "林".
export function initials(name: string) {
  // Of each word its letters and digits only: "(Bob) Lee" is "BL", not "(L".
  const parts = name
    .trim()
    .split(/\s+/)
    .map((p) => p.replace(/[^\p{L}\p{N}]+/gu, ""))
    .filter(Boolean);
  if (parts.length === 0) return "?";
  const first = [...parts[0]];
  if (/[\u3400-\u9fff]/.test(first[0])) return first[0];
  const second = parts.slice(1).find((p) => !/[\u3400-\u9fff]/.test(p));
  return (second ? first[0] + [...second][0] : first.slice(0, 2).join("")).toUpperCase();
}

function statusText(t: PT, status?: string) {
  switch (status) {
    case "online":
      return t("team.status.online");
    case "away":
      return t("team.status.away");
    case "disabled":
      return t("team.status.disabled");
    default:
      return t("team.status.offline");
  }
}

function AgentDialog({
  t,
  row,
  passwordOnly,
  onCancel,
  onSave,
  onExpired,
}: {
  t: PT;
  row?: AgentRow;
  passwordOnly?: boolean;
  onCancel: () => void;
  onSave: (body: AgentInput) => Promise<void>;
  onExpired: (e: unknown) => void;
}) {
  const [form, setForm] = useState<AgentForm>(row ? agentToForm(row) : emptyAgentForm());
  const { errors, busy, submit: submitting } = useSubmit(onExpired, (a) =>
    a.status === 409 && /tenant file/.test(a.message) ? { "": t("team.conflictFile", { name: row?.name ?? "" }) } : null,
  );
  const set = (k: keyof AgentForm) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = submitting(() => onSave(passwordOnly ? { password: form.password } : agentBody(form, row)));
  const title = passwordOnly && row ? t("team.resetTitle", { name: row.name }) : row ? t("team.editTitle", { name: row.name }) : t("team.createTitle");
  const buttons = (
    <>
      {errors[""] && (
        <p className="field-problem" role="alert">
          {errors[""]}
        </p>
      )}
      <div className="row buttons">
        <button type="button" onClick={onCancel}>
          {t("common.cancel")}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? t("common.saving") : t("common.save")}
        </button>
      </div>
    </>
  );
  if (passwordOnly)
    return (
      <div className="pdialog-backdrop">
        <form className="pdialog pform card" role="dialog" aria-modal="true" aria-label={title} onSubmit={submit} onKeyDown={(e) => e.key === "Escape" && onCancel()}>
          <h3>{title}</h3>
          <p className="help">{t("team.resetLead")}</p>
          {row?.source === "file" && <p className="help file-note">{t("team.fromFileHelp")}</p>}
          <Field label={t("team.passwordReset")} help={t("team.passwordHelp")} error={errors.password}>
            {(p) => <input {...p} type="password" autoFocus required autoComplete="new-password" value={form.password} onChange={set("password")} />}
          </Field>
          {buttons}
        </form>
      </div>
    );
  return (
    <div className="pdialog-backdrop">
      <form className="pdialog pform card" role="dialog" aria-modal="true" aria-label={title} onSubmit={submit} onKeyDown={(e) => e.key === "Escape" && onCancel()}>
        <h3>{title}</h3>
        {row?.source === "file" && <p className="help file-note">{t("team.fromFileHelp")}</p>}
        <Field label={t("team.name")} error={errors.name}>
          {(p) => <input {...p} type="text" required autoFocus value={form.name} onChange={set("name")} />}
        </Field>
        <Field label={t("team.email")} error={errors.email}>
          {(p) => <input {...p} type="email" required value={form.email} onChange={set("email")} />}
        </Field>
        <Field label={row ? t("team.passwordNew") : t("team.password")} help={t("team.passwordHelp")} error={errors.password}>
          {(p) => <input {...p} type="password" autoComplete="new-password" required={!row} value={form.password} onChange={set("password")} />}
        </Field>
        <div className="pform-row">
          <Field label={t("team.role")} error={errors.role}>
            {(p) => (
              <select {...p} value={form.role} onChange={set("role")}>
                <option value="agent">{t("team.roleAgent")}</option>
                <option value="admin">{t("team.roleAdmin")}</option>
              </select>
            )}
          </Field>
          <Field label={t("team.max")} error={errors.max_concurrent}>
            {(p) => <input {...p} type="number" min={1} max={10000} value={form.max_concurrent} onChange={set("max_concurrent")} />}
          </Field>
        </div>
        <Field label={t("team.groups")} help={t("team.groupsHelp")} error={errors.groups}>
          {(p) => <input {...p} type="text" value={form.groups} onChange={set("groups")} />}
        </Field>
        <Field label={t("team.skills")} help={t("team.skillsHelp")} error={errors.skills}>
          {(p) => <input {...p} type="text" value={form.skills} onChange={set("skills")} />}
        </Field>
        {buttons}
      </form>
    </div>
  );
}
