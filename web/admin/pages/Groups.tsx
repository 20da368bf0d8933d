/** @jsxImportSource react */
// The Groups page: the tenant's groups with their business hours (time zone,
// opening times per weekday, holidays) and queue limits, each edited in a form;
// what the server refuses is shown on the field it names.
import { useEffect, useMemo, useState } from "react";
import type { Lang } from "../i18n";
import type { AgentRow, GroupInput, GroupRow, GroupSettings, PagesApi, Weekday } from "./api";
import { settingsTranslator, type ST } from "./settings-text";
import type { PT } from "./text";
import { Confirm, Field, LoadState, Notice, NoticeLine, PageHead, problemText, useChange, useList, useSubmit } from "./ui";

// A group's agents by name, as the Team page shows them: the server lists their ids,
// and the ids of agents added on the Team page (a_…) mean nothing to a person. An
// id the team list lacks (not loaded, or an agent since removed) stays as it is.
export function memberNames(ids: string[], team: Pick<AgentRow, "id" | "name">[] | null): string[] {
  const names = new Map((team ?? []).map((a) => [a.id, a.name]));
  return ids.map((id) => names.get(id) ?? id);
}

export const kWeekdays: Weekday[] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

// A day's opening as the form edits it: ranges of two "HH:MM" times.
type Range = { opens: string; closes: string };
export type HoursDraft = { on: boolean; days: Record<Weekday, Range[]> };

export function hoursDraft(hours: GroupSettings["hours"]): HoursDraft {
  const days = {} as Record<Weekday, Range[]>;
  for (const day of kWeekdays)
    days[day] = (hours?.[day] ?? []).map((r) => {
      const [opens, closes] = r.split("-");
      return { opens, closes };
    });
  return { on: !!hours, days };
}

// Back to the API's form: open days only; null when the group has no set hours.
export function hoursOf(draft: HoursDraft): GroupSettings["hours"] {
  if (!draft.on) return null;
  const out: Partial<Record<Weekday, string[]>> = {};
  for (const day of kWeekdays) if (draft.days[day].length) out[day] = draft.days[day].map((r) => `${r.opens}-${r.closes}`);
  return out;
}

function timeZones(current: string): string[] {
  let zones: string[] = [];
  try {
    zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? [];
  } catch {
    zones = [];
  }
  const all = new Set(["UTC", ...zones]);
  if (current) all.add(current);
  return [...all].sort((a, b) => (a === "UTC" ? -1 : b === "UTC" ? 1 : a.localeCompare(b)));
}

// "Monday–Friday 09:00-17:00 · Saturday 10:00-14:00": runs of days with the same hours.
export function weekSummary(hours: NonNullable<GroupSettings["hours"]>, dayName: (d: Weekday) => string): string {
  const parts: string[] = [];
  for (let i = 0; i < 7; ) {
    const ranges = hours[kWeekdays[i]] ?? [];
    let j = i;
    while (j + 1 < 7 && (hours[kWeekdays[j + 1]] ?? []).join() === ranges.join()) j++;
    if (ranges.length) parts.push(`${dayName(kWeekdays[i])}${j > i ? "–" + dayName(kWeekdays[j]) : ""} ${ranges.join(", ")}`);
    i = j + 1;
  }
  return parts.join(" · ");
}

function summary(t: ST, g: GroupRow): string[] {
  const lines: string[] = [];
  if (!g.hours) lines.push(t("groups.alwaysOpen"));
  else lines.push(t("groups.openDays", { days: weekSummary(g.hours, (d) => t(`groups.day.${d}`)) }) + ` (${g.timezone})`);
  if (g.holidays.length) lines.push(t("groups.closedOn", { dates: g.holidays.join(", ") }));
  const limits = [g.max_queue_length ? t("groups.queueLimit", { n: g.max_queue_length }) : "", g.max_wait_s ? t("groups.waitLimit", { n: Math.round(g.max_wait_s / 6) / 10 }) : ""].filter(Boolean);
  lines.push(limits.length ? limits.join(" · ") : t("groups.noLimits"));
  return lines;
}

export function GroupsPage({ pt, lang, api, onExpired }: { pt: PT; lang: Lang; api: PagesApi; onExpired: (e: unknown) => void }) {
  const t = useMemo(() => settingsTranslator(lang), [lang]);
  const { rows: groups, loadError, load } = useList(() => api.groups(), onExpired);
  const [editing, setEditing] = useState<{ row?: GroupRow } | null>(null);
  const [deleting, setDeleting] = useState<GroupRow | null>(null);
  const [notice, setNotice] = useState<Notice>(null);
  const change = useChange(setNotice, onExpired, load);
  useEffect(() => {
    void load();
  }, [load]);
  // The team, for the agents' names; without it (a failed read) the ids show.
  const [team, setTeam] = useState<AgentRow[] | null>(null);
  useEffect(() => {
    api.agents().then(setTeam, () => undefined);
  }, [api, groups]);

  const remove = (g: GroupRow) => {
    setDeleting(null);
    void change(
      () => api.deleteGroup(g.id),
      t("groups.deleted", { name: g.name }),
      (e) => t("groups.inUse", { message: problemText(e) }),
    );
  };

  return (
    <section className="ppage" aria-labelledby="groups-title">
      <PageHead id="groups-title" title={t("groups.title")} lead={t("groups.lead")}>
        {groups && <span className="pcount">{t("groups.count", { n: groups.length })}</span>}
        <button type="button" className="primary" onClick={() => setEditing({})}>
          + {t("groups.add")}
        </button>
      </PageHead>
      <NoticeLine notice={notice} onClose={() => setNotice(null)} t={pt} />
      <LoadState t={pt} loaded={!!groups} loadError={loadError} />
      {groups && (
        <ul className="group-list" aria-label={t("groups.title")}>
          {groups.length === 0 && <li className="muted empty">{t("groups.empty")}</li>}
          {groups.map((g) => (
            <li key={g.id} className="group-item card" data-group={g.id}>
              <div className="group-head">
                <h3>{g.name}</h3>
                <code className="group-id">{g.id}</code>
              </div>
              {summary(t, g).map((line, i) => (
                <p key={i} className="group-line">
                  {line}
                </p>
              ))}
              {g.agents.length > 0 && <p className="group-line muted">{t("groups.members", { names: memberNames(g.agents, team).join(", ") })}</p>}
              {g.rules.length > 0 && <p className="group-line muted">{t("groups.usedBy", { names: g.rules.join(", ") })}</p>}
              <div className="row-actions">
                <button type="button" onClick={() => setEditing({ row: g })} aria-label={t("groups.editOf", { name: g.name })}>
                  {t("groups.edit")}
                </button>
                <button type="button" className="danger" onClick={() => setDeleting(g)} aria-label={t("groups.deleteOf", { name: g.name })}>
                  {t("groups.delete")}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {editing && (
        <GroupDialog
          t={t}
          pt={pt}
          row={editing.row}
          onCancel={() => setEditing(null)}
          onExpired={onExpired}
          onSave={async (id, body) => {
            await api.putGroup(id, body, editing.row?.etag ?? null);
            setEditing(null);
            await load();
            setNotice({ kind: "ok", text: t("groups.saved", { name: body.name ?? id }) });
          }}
        />
      )}
      {deleting && <Confirm t={pt} text={t("groups.deleteAsk", { name: deleting.name })} action={t("groups.delete")} onNo={() => setDeleting(null)} onYes={() => remove(deleting)} />}
    </section>
  );
}

const kBlank: GroupSettings = {
  name: "",
  timezone: "UTC",
  hours: null,
  holidays: [],
  max_queue_length: 0,
  max_wait_s: 0,
  on_queue_limit: "offline_message",
  queue_limit_message: "",
};

function GroupDialog({
  t,
  pt,
  row,
  onCancel,
  onSave,
  onExpired,
}: {
  t: ST;
  pt: PT;
  row?: GroupRow;
  onCancel: () => void;
  onSave: (id: string, body: GroupInput) => Promise<void>;
  onExpired: (e: unknown) => void;
}) {
  const start = row ?? kBlank;
  const [id, setId] = useState(row?.id ?? "");
  const [name, setName] = useState(start.name);
  const [timezone, setTimezone] = useState(start.timezone);
  const [hours, setHours] = useState<HoursDraft>(() => hoursDraft(start.hours));
  const [holidays, setHolidays] = useState<string[]>(start.holidays);
  const [maxQueue, setMaxQueue] = useState(String(start.max_queue_length));
  const [maxWaitMin, setMaxWaitMin] = useState(String(start.max_wait_s / 60));
  const [onLimit, setOnLimit] = useState(start.on_queue_limit);
  const [limitMessage, setLimitMessage] = useState(start.queue_limit_message ?? "");
  const { errors, busy, submit: submitting } = useSubmit(onExpired, (e) =>
    e.status === 412 ? { "": row ? t("groups.changed") : t("groups.exists") } : null,
  );
  const zones = useMemo(() => timeZones(start.timezone), [start.timezone]);

  const body = (): GroupInput => ({
    // Empty: the group is shown by its id.
    name: name.trim() || null,
    timezone,
    hours: hoursOf(hours),
    holidays,
    max_queue_length: Number(maxQueue),
    max_wait_s: Math.round(Number(maxWaitMin) * 60),
    on_queue_limit: onLimit,
    // Empty: the server's default sentence.
    queue_limit_message: limitMessage.trim() ? limitMessage : null,
  });
  const snapshot = JSON.stringify({ id, ...body() });
  const [initial] = useState(snapshot);
  const dirty = snapshot !== initial;
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = t("widget.leave");
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty, t]);

  const submit = submitting(() => onSave(id.trim(), body()));

  const setDay = (day: Weekday, ranges: Range[]) => setHours((h) => ({ ...h, days: { ...h.days, [day]: ranges } }));
  const title = row ? t("groups.editTitle", { name: row.name }) : t("groups.createTitle");
  const dayError = (day: Weekday) => Object.entries(errors).find(([k]) => k === `hours.${day}` || k.startsWith(`hours.${day}[`))?.[1];
  const rangeError = (day: Weekday, i: number) => errors[`hours.${day}[${i}]`];

  return (
    <div className="pdialog-backdrop">
      <form className="pdialog pform card group-form" role="dialog" aria-modal="true" aria-label={title} onSubmit={submit} onKeyDown={(e) => e.key === "Escape" && onCancel()}>
        <div className="group-form-head">
          <h3>{title}</h3>
          {dirty && <span className="dirty-mark is-dirty">{t("widget.unsaved")}</span>}
        </div>
        <div className="pform-row">
          <Field label={t("groups.id")} help={row ? undefined : t("groups.idHelp")} error={errors.id}>
            {(p) => <input {...p} type="text" spellCheck={false} readOnly={!!row} autoFocus={!row} value={id} onChange={(e) => setId(e.target.value)} />}
          </Field>
          <Field label={t("groups.name")} error={errors.name}>
            {(p) => <input {...p} type="text" autoFocus={!!row} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
        </div>
        <Field label={t("groups.timezone")} help={t("groups.timezoneHelp")} error={errors.timezone}>
          {(p) => (
            <select {...p} value={timezone} onChange={(e) => setTimezone(e.target.value)}>
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z}
                </option>
              ))}
            </select>
          )}
        </Field>

        <fieldset className="pgroup">
          <legend>{t("groups.hours")}</legend>
          <label className="check">
            <input type="checkbox" checked={hours.on} onChange={(e) => setHours((h) => ({ ...h, on: e.target.checked }))} />
            {t("groups.hoursOn")}
          </label>
          {!hours.on && <p className="help small">{t("groups.hoursOff")}</p>}
          {errors.hours && (
            <p className="field-problem" role="alert">
              {errors.hours}
            </p>
          )}
          {hours.on && (
            <div className="days">
              {kWeekdays.map((day) => {
                const dayName = t(`groups.day.${day}`);
                const ranges = hours.days[day];
                const problem = dayError(day);
                return (
                  <div key={day} className={"day-row" + (problem ? " has-error" : "")}>
                    <label className="check day-name">
                      <input type="checkbox" checked={ranges.length > 0} aria-label={t("groups.dayOpen", { day: dayName })} onChange={(e) => setDay(day, e.target.checked ? [{ opens: "09:00", closes: "17:00" }] : [])} />
                      <span aria-hidden="true">{dayName}</span>
                    </label>
                    <div className="day-ranges">
                      {ranges.length === 0 && <span className="muted">{t("groups.closed")}</span>}
                      {ranges.map((r, i) => {
                        const suffix = i > 0 ? ` (${i + 1})` : "";
                        const invalid = !!rangeError(day, i);
                        return (
                          <span key={i} className="range">
                            <input
                              type="time"
                              aria-label={t("groups.opens", { day: dayName }) + suffix}
                              aria-invalid={invalid}
                              value={r.opens}
                              onChange={(e) => setDay(day, ranges.map((x, j) => (j === i ? { ...x, opens: e.target.value } : x)))}
                            />
                            –
                            <input
                              type="time"
                              aria-label={t("groups.closes", { day: dayName }) + suffix}
                              aria-invalid={invalid}
                              value={r.closes === "24:00" ? "23:59" : r.closes}
                              onChange={(e) => setDay(day, ranges.map((x, j) => (j === i ? { ...x, closes: e.target.value } : x)))}
                            />
                            {ranges.length > 1 && (
                              <button type="button" className="link danger" aria-label={t("groups.removeHours", { day: dayName, from: r.opens, to: r.closes })} title={t("groups.removeHours", { day: dayName, from: r.opens, to: r.closes })} onClick={() => setDay(day, ranges.filter((_, j) => j !== i))}>
                                ×
                              </button>
                            )}
                          </span>
                        );
                      })}
                      {ranges.length > 0 && (
                        <button type="button" className="link" aria-label={t("groups.addHours", { day: dayName })} title={t("groups.addHours", { day: dayName })} onClick={() => setDay(day, [...ranges, { opens: "13:00", closes: "17:00" }])}>
                          +
                        </button>
                      )}
                    </div>
                    {problem && (
                      <span className="field-problem" role="alert">
                        {problem}
                      </span>
                    )}
                  </div>
                );
              })}
            </div>
          )}
        </fieldset>

        <fieldset className="pgroup">
          <legend>{t("groups.holidays")}</legend>
          <p className="help small">{t("groups.holidaysHelp")}</p>
          <ul className="plist">
            {holidays.map((day, i) => (
              <li key={i} className="plist-row">
                <Field label={t("groups.holiday", { n: i + 1 })} error={errors[`holidays[${i}]`]}>
                  {(p) => <input {...p} type="date" value={day} onChange={(e) => setHolidays(holidays.map((d, j) => (j === i ? e.target.value : d)))} />}
                </Field>
                <button type="button" className="link danger" aria-label={t("groups.removeHoliday", { n: i + 1 })} onClick={() => setHolidays(holidays.filter((_, j) => j !== i))}>
                  ×
                </button>
              </li>
            ))}
          </ul>
          {errors.holidays && (
            <p className="field-problem" role="alert">
              {errors.holidays}
            </p>
          )}
          <button type="button" onClick={() => setHolidays([...holidays, ""])}>
            + {t("groups.addHoliday")}
          </button>
        </fieldset>

        <fieldset className="pgroup">
          <legend>{t("groups.limits")}</legend>
          <div className="pform-row">
            <Field label={t("groups.maxQueue")} help={t("groups.maxQueueHelp")} error={errors.max_queue_length}>
              {(p) => <input {...p} type="number" min={0} step={1} value={maxQueue} onChange={(e) => setMaxQueue(e.target.value)} />}
            </Field>
            <Field label={t("groups.maxWait")} help={t("groups.maxWaitHelp")} error={errors.max_wait_s}>
              {(p) => <input {...p} type="number" min={0} step="any" value={maxWaitMin} onChange={(e) => setMaxWaitMin(e.target.value)} />}
            </Field>
          </div>
          <Field label={t("groups.onLimit")} error={errors.on_queue_limit}>
            {(p) => (
              <select {...p} value={onLimit} onChange={(e) => setOnLimit(e.target.value as GroupSettings["on_queue_limit"])}>
                <option value="offline_message">{t("groups.onLimit.offline_message")}</option>
                <option value="message_and_close">{t("groups.onLimit.message_and_close")}</option>
              </select>
            )}
          </Field>
          <Field label={t("groups.limitMessage")} error={errors.queue_limit_message}>
            {(p) => <textarea {...p} rows={2} value={limitMessage} onChange={(e) => setLimitMessage(e.target.value)} />}
          </Field>
        </fieldset>

        {errors[""] && (
          <p className="field-problem" role="alert">
            {errors[""]}
          </p>
        )}
        <div className="row buttons">
          <button type="button" onClick={onCancel}>
            {pt("common.cancel")}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? pt("common.saving") : pt("common.save")}
          </button>
        </div>
      </form>
    </div>
  );
}
