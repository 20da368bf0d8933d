/** @jsxImportSource react */
// The admin "Dashboard": the live numbers (GET …/stats/live every few seconds) and
// conversations per day, agent and group over a chosen range (GET …/stats/report)
// as charts, each with its numbers as a table, and the range as a CSV download.
//
// Live by polling, not the agent socket: an admin who opened the agent socket would
// count as an agent online and could be routed chats, and half of the numbers
// (today's times, CSAT) come from stored records the socket never carries. Polling
// pauses while the tab is hidden and on request (WCAG 2.2.2).
//
// Charts are Chart.js on <canvas> (no injected <style>, so the admin page's
// style-src 'self' holds), registered piecemeal so the bundle carries only bars.
// Self-contained (its own texts and calls) so the other admin pages stay untouched.
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip } from "chart.js";
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import type { ApiError, Session } from "../api";
import type { Lang } from "../i18n";
import { Live, Report, browserZone, chartSummary, daysBetween, fetchCsv, fetchLive, fetchReport, formatDuration, isoDay, kMaxDays } from "./stats";
import { pagesApi } from "./api";
import { PageHead } from "./ui";
import "./dashboard.css";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const kPollMs = 5000;

// ---- texts ----

const en = {
  title: "Dashboard",
  lead: "How the team is doing right now and today, and conversations over any range of days.",
  "live.title": "Right now",
  "live.updated": "Updated {time}",
  "live.pause": "Pause live updates",
  "live.resume": "Resume live updates",
  "live.paused": "Paused",
  "live.loading": "Loading the live numbers…",
  "agents.title": "Agents",
  "agents.online": "Online",
  "agents.away": "Away",
  "agents.load": "Chats / capacity",
  "conv.title": "Open conversations",
  "conv.bot": "With the bot",
  "conv.queued": "Waiting",
  "conv.assigned": "With an agent",
  "mpm.title": "Messages per minute",
  "mpm.recent": "In the last {n} minutes",
  "mpm.chart": "Messages in each of the last {n} minutes",
  "mpm.none": "no messages",
  "today.title": "Today ({date})",
  "today.opened": "Opened",
  "today.closed": "Closed",
  "today.missed": "Missed: left the queue",
  "bot.title": "The bot today",
  "bot.resolved": "Answered by the bot",
  "bot.handedOff": "Handed to a person",
  "bot.active": "Still with the bot",
  "times.title": "Times today",
  "times.firstResponse": "First response",
  "times.wait": "Wait for an agent",
  "times.resolution": "Resolution",
  "times.median": "median",
  "times.p90": "90% within",
  "times.of": "{n} conversations",
  "times.of.one": "1 conversation",
  "csat.title": "Satisfaction today",
  "csat.average": "Average rating",
  "csat.count": "{n} ratings",
  "csat.count.one": "1 rating",
  "csat.none": "No ratings yet",
  "queues.title": "Queues",
  "queues.group": "Group",
  "queues.default": "Default queue",
  "queues.length": "Waiting",
  "queues.longest": "Longest wait",
  "team.title": "Agents now",
  "team.name": "Agent",
  "team.status": "Status",
  "team.load": "Chats / capacity",
  "team.loadOf": "{open} of {capacity} chats",
  "team.none": "No agents.",
  "status.online": "Online",
  "status.away": "Away",
  "status.offline": "Offline",
  "range.title": "Conversations over time",
  "range.from": "From",
  "range.to": "To",
  "range.zone": "Days in {zone}",
  "range.week": "Last 7 days",
  "range.month": "Last 30 days",
  "range.export": "Export CSV",
  "range.exporting": "Exporting…",
  "range.loading": "Loading the report…",
  "range.reversed": "“To” must not be before “From”.",
  "range.tooLong": "Choose at most {n} days.",
  "range.total": "{n} conversations in the range",
  "range.total.one": "1 conversation in the range",
  "range.truncated": "Only the newest conversations of this range were counted: there are too many.",
  "chart.days": "Conversations per day",
  "chart.agents": "Conversations by agent",
  "chart.groups": "Conversations by group",
  "chart.table": "Show the numbers",
  "chart.total": "Total",
  "chart.none": "No conversations in this range.",
  "col.date": "Date",
  "col.agent": "Agent",
  "col.group": "Group",
  "col.conversations": "Conversations",
  "col.closed": "Closed",
  "col.botResolved": "Answered by the bot",
  "col.handedOff": "Handed off",
  nobody: "Not assigned",
  "series.conversations": "Conversations",
  "series.closed": "Closed",
  truncated: "Today has too many conversations to count them all: the times cover the newest.",
  failed: "Could not load: {message}",
  expired: "Your session ended; sign in again.",
};
type Key = keyof typeof en;
const zh: Record<Key, string> = {
  title: "仪表盘",
  lead: "团队此刻与今天的状况，以及任意日期范围内的会话。",
  "live.title": "此刻",
  "live.updated": "更新于 {time}",
  "live.pause": "暂停实时更新",
  "live.resume": "恢复实时更新",
  "live.paused": "已暂停",
  "live.loading": "正在加载实时数据…",
  "agents.title": "客服",
  "agents.online": "在线",
  "agents.away": "离开",
  "agents.load": "会话 / 容量",
  "conv.title": "进行中的会话",
  "conv.bot": "机器人接待中",
  "conv.queued": "排队中",
  "conv.assigned": "客服接待中",
  "mpm.title": "每分钟消息数",
  "mpm.recent": "最近 {n} 分钟",
  "mpm.chart": "最近 {n} 分钟每分钟的消息数",
  "mpm.none": "没有消息",
  "today.title": "今天（{date}）",
  "today.opened": "新建",
  "today.closed": "已关闭",
  "today.missed": "未接待：排队时离开",
  "bot.title": "今天的机器人",
  "bot.resolved": "机器人已解答",
  "bot.handedOff": "转给人工",
  "bot.active": "机器人接待中",
  "times.title": "今天的时长",
  "times.firstResponse": "首次响应",
  "times.wait": "等待分配",
  "times.resolution": "解决用时",
  "times.median": "中位数",
  "times.p90": "90% 在此之内",
  "times.of": "{n} 个会话",
  "times.of.one": "1 个会话",
  "csat.title": "今天的满意度",
  "csat.average": "平均评分",
  "csat.count": "{n} 个评分",
  "csat.count.one": "1 个评分",
  "csat.none": "还没有评分",
  "queues.title": "队列",
  "queues.group": "分组",
  "queues.default": "默认队列",
  "queues.length": "排队数",
  "queues.longest": "最长等待",
  "team.title": "客服状态",
  "team.name": "客服",
  "team.status": "状态",
  "team.load": "会话 / 容量",
  "team.loadOf": "{open} / {capacity} 个会话",
  "team.none": "没有客服。",
  "status.online": "在线",
  "status.away": "离开",
  "status.offline": "离线",
  "range.title": "会话趋势",
  "range.from": "开始日期",
  "range.to": "结束日期",
  "range.zone": "按 {zone} 时区计日",
  "range.week": "最近 7 天",
  "range.month": "最近 30 天",
  "range.export": "导出 CSV",
  "range.exporting": "正在导出…",
  "range.loading": "正在加载报表…",
  "range.reversed": "结束日期不能早于开始日期。",
  "range.tooLong": "最多选择 {n} 天。",
  "range.total": "范围内共 {n} 个会话",
  "range.total.one": "范围内共 1 个会话",
  "range.truncated": "此范围的会话过多，只统计了最新的部分。",
  "chart.days": "每天的会话数",
  "chart.agents": "各客服的会话数",
  "chart.groups": "各分组的会话数",
  "chart.table": "显示数据表",
  "chart.total": "合计",
  "chart.none": "此范围内没有会话。",
  "col.date": "日期",
  "col.agent": "客服",
  "col.group": "分组",
  "col.conversations": "会话数",
  "col.closed": "已关闭",
  "col.botResolved": "机器人已解答",
  "col.handedOff": "转人工",
  nobody: "未分配",
  "series.conversations": "会话数",
  "series.closed": "已关闭",
  truncated: "今天的会话太多，时长只统计了最新的部分。",
  failed: "加载失败：{message}",
  expired: "会话已过期，请重新登录。",
};
type Tr = (key: Key, values?: Record<string, string | number>) => string;
function translator(lang: Lang): Tr {
  const table = lang === "zh" ? zh : en;
  return (key, values) => (table[key] ?? en[key]).replace(/\{(\w+)\}/g, (w, n: string) => (values && n in values ? String(values[n]) : w));
}

// "1 conversation" / "2 conversations": the key's ".one" form for exactly one.
function plural(t: Tr, key: "times.of" | "csat.count" | "range.total", n: number): string {
  return n === 1 ? t(`${key}.one` as Key) : t(key, { n });
}

// ---- the page ----

export function Dashboard({ session, lang, onExpired }: { session: Session; lang: Lang; onExpired: (e: unknown) => void }) {
  const t = useMemo(() => translator(lang), [lang]);
  const zone = useMemo(browserZone, []);
  // What today's live numbers say has happened; a range that includes today is
  // counted again when it changes, so the charts keep up with the live numbers.
  const [today, setToday] = useState("");
  const fail = useCallback(
    (e: unknown, set: (m: string) => void) => {
      const s = e as ApiError;
      if (s.status === 401) {
        set(t("expired"));
        onExpired(e);
      } else set(t("failed", { message: s.message }));
    },
    [onExpired, t],
  );
  // The statistics name a group by its id; the tables and charts say its name.
  const [names, setNames] = useState<Map<string, string>>(new Map());
  useEffect(() => {
    let stopped = false;
    pagesApi(session)
      .groups()
      .then((rows) => !stopped && setNames(new Map(rows.map((g) => [g.id, g.name || g.id]))))
      .catch(() => undefined); // ids stand in for the names
    return () => {
      stopped = true;
    };
  }, [session]);
  const groupName = useCallback((id: string) => names.get(id) ?? id, [names]);
  return (
    <section className="ppage dashboard" aria-labelledby="dashboard-title">
      <PageHead id="dashboard-title" title={t("title")} lead={t("lead")} />
      <LivePanel session={session} lang={lang} t={t} zone={zone} fail={fail} groupName={groupName} onToday={setToday} />
      <RangePanel session={session} lang={lang} t={t} zone={zone} fail={fail} groupName={groupName} today={today} />
    </section>
  );
}

type Fail = (e: unknown, set: (m: string) => void) => void;
type PanelProps = { session: Session; lang: Lang; t: Tr; zone: string; fail: Fail; groupName: (id: string) => string };

function LivePanel({ session, lang, t, zone, fail, groupName, onToday }: PanelProps & { onToday: (key: string) => void }) {
  const [live, setLive] = useState<Live | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [paused, setPaused] = useState(false);
  useEffect(() => {
    if (paused) return;
    let stopped = false;
    let timer: number | undefined;
    const tick = async () => {
      if (document.visibilityState !== "hidden") {
        try {
          const next = await fetchLive(session, zone);
          if (stopped) return;
          setLive(next);
          setError(null);
          onToday(`${next.today.date}:${next.today.opened}:${next.today.closed}:${next.today.bot.handed_off}`);
        } catch (e) {
          if (stopped) return;
          fail(e, setError);
          if ((e as ApiError).status === 401) return;
        }
      }
      if (!stopped) timer = window.setTimeout(tick, kPollMs);
    };
    void tick();
    const onVisible = () => {
      if (document.visibilityState === "visible" && !stopped) {
        window.clearTimeout(timer);
        void tick();
      }
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisible);
    };
  }, [session, zone, paused, fail, onToday]);

  const locale = lang === "zh" ? "zh-CN" : "en-GB";
  const dur = (ms: number | null | undefined) => formatDuration(ms, lang);
  return (
    <section className="dash-live" aria-labelledby="live-title">
      <div className="dash-section-head">
        <h3 id="live-title">{t("live.title")}</h3>
        <span className={"dash-pulse" + (paused ? " is-paused" : "")} aria-hidden="true" />
        <span className="dash-updated">{paused ? t("live.paused") : live ? t("live.updated", { time: new Date(live.generated_at).toLocaleTimeString(locale) }) : ""}</span>
        <button type="button" aria-pressed={paused} onClick={() => setPaused((p) => !p)}>
          {paused ? t("live.resume") : t("live.pause")}
        </button>
      </div>
      {error && (
        <p className="field-problem" role="alert">
          {error}
        </p>
      )}
      {!live ? (
        !error && <p className="help">{t("live.loading")}</p>
      ) : (
        <>
          {live.today.truncated && <p className="banner banner-warning">{t("truncated")}</p>}
          <div className="dash-cards">
            <Card title={t("agents.title")}>
              <Stat id="agents-online" label={t("agents.online")} value={live.agents.online} big />
              <Stat id="agents-away" label={t("agents.away")} value={live.agents.away} />
              <Stat id="agents-load" label={t("agents.load")} value={`${live.agents.open_conversations} / ${live.agents.capacity}`} />
            </Card>
            <Card title={t("conv.title")}>
              <Stat id="assigned" label={t("conv.assigned")} value={live.conversations.assigned} big />
              <Stat id="queued" label={t("conv.queued")} value={live.conversations.queued} />
              <Stat id="bot" label={t("conv.bot")} value={live.conversations.bot} />
            </Card>
            <Card title={t("today.title", { date: live.today.date })}>
              <Stat id="opened" label={t("today.opened")} value={live.today.opened} big />
              <Stat id="closed" label={t("today.closed")} value={live.today.closed} />
              {live.today.missed !== undefined && <Stat id="missed" label={t("today.missed")} value={live.today.missed} />}
            </Card>
            <Card title={t("bot.title")}>
              <Stat id="bot-resolved" label={t("bot.resolved")} value={live.today.bot.resolved} big />
              <Stat id="bot-handed-off" label={t("bot.handedOff")} value={live.today.bot.handed_off} />
              <Stat id="bot-active" label={t("bot.active")} value={live.today.bot.active} />
            </Card>
            <Card title={t("csat.title")} note={live.today.csat.count ? plural(t, "csat.count", live.today.csat.count) : t("csat.none")}>
              <Stat id="csat" label={t("csat.average")} value={live.today.csat.average === null ? "—" : `${live.today.csat.average.toFixed(1)} / 5`} big />
            </Card>
            <MessagesCard t={t} live={live} locale={locale} />
          </div>
          <div className="dash-cards dash-times">
            {(
              [
                ["first-response", "times.firstResponse", live.today.first_response],
                ["wait", "times.wait", live.today.wait],
                ["resolution", "times.resolution", live.today.resolution],
              ] as const
            ).map(([id, key, spread]) => (
              <Card key={id} title={t(key)} note={plural(t, "times.of", spread.count)}>
                <Stat id={`${id}-p50`} label={t("times.median")} value={dur(spread.p50_ms)} big />
                <Stat id={`${id}-p90`} label={t("times.p90")} value={dur(spread.p90_ms)} />
              </Card>
            ))}
          </div>
          <div className="dash-tables">
            <div className="card ptable-wrap">
              <table className="ptable" aria-labelledby="queues-title">
                <caption id="queues-title">{t("queues.title")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("queues.group")}</th>
                    <th scope="col">{t("queues.length")}</th>
                    <th scope="col">{t("queues.longest")}</th>
                  </tr>
                </thead>
                <tbody>
                  {live.queues.map((q) => (
                    <tr key={q.group} data-queue={q.group}>
                      <th scope="row">{q.group ? groupName(q.group) : t("queues.default")}</th>
                      <td className="num">{q.length}</td>
                      <td className="num">{dur(q.longest_wait_ms)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="card ptable-wrap">
              <table className="ptable" aria-labelledby="team-now-title">
                <caption id="team-now-title">{t("team.title")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("team.name")}</th>
                    <th scope="col">{t("team.status")}</th>
                    <th scope="col">{t("team.load")}</th>
                  </tr>
                </thead>
                <tbody>
                  {live.agents.list.length === 0 && (
                    <tr>
                      <td colSpan={3}>{t("team.none")}</td>
                    </tr>
                  )}
                  {live.agents.list.map((a) => (
                    <tr key={a.id} data-agent={a.id}>
                      <th scope="row">{a.name}</th>
                      <td>
                        <span className={`status status-${a.status}`}>
                          <span className="dot" aria-hidden="true" />
                          {t(`status.${a.status}` as Key)}
                        </span>
                      </td>
                      <td>
                        <meter min={0} max={Math.max(1, a.capacity)} value={a.open_conversations} aria-label={t("team.loadOf", { open: a.open_conversations, capacity: a.capacity })} />
                        <span className="num"> {`${a.open_conversations} / ${a.capacity}`}</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        </>
      )}
    </section>
  );
}

function Card({ title, note, children }: { title: string; note?: string; children: React.ReactNode }) {
  const id = useId();
  return (
    <section className="card dash-card" aria-labelledby={id}>
      <h4 id={id}>{title}</h4>
      <dl>{children}</dl>
      {note && <p className="dash-note">{note}</p>}
    </section>
  );
}

function Stat({ id, label, value, big }: { id: string; label: string; value: string | number; big?: boolean }) {
  return (
    <div className={"dash-stat" + (big ? " is-big" : "")}>
      <dt>{label}</dt>
      <dd data-stat={id}>{value}</dd>
    </div>
  );
}

function MessagesCard({ t, live, locale }: { t: Tr; live: Live; locale: string }) {
  const minutes = live.messages_per_minute;
  // The whole window, not the minute under way: that one starts at 0 every minute,
  // so a quiet tenant's number would flicker to 0 while its chats go on.
  const recent = minutes.reduce((sum, m) => sum + m.messages, 0);
  const labels = minutes.map((m) => new Date(m.minute).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" }));
  const values = minutes.map((m) => m.messages);
  return (
    <section className="card dash-card dash-mpm" aria-labelledby="mpm-title">
      <h4 id="mpm-title">{t("mpm.title")}</h4>
      <dl>
        <Stat id="messages-recent" label={t("mpm.recent", { n: minutes.length })} value={recent} big />
      </dl>
      <BarChart
        label={t("mpm.chart", { n: minutes.length })}
        labels={labels}
        series={[{ name: t("mpm.title"), values, color: "#0d8bb5" }]}
        summary={chartSummary(labels, values, { total: t("chart.total"), none: t("mpm.none") })}
        small
      />
    </section>
  );
}

// ---- the range ----

function RangePanel({ session, lang, t, zone, fail, groupName, today: todayKey }: PanelProps & { today: string }) {
  const today = isoDay(new Date());
  const [from, setFrom] = useState(() => isoDay(new Date(), 6));
  const [to, setTo] = useState(today);
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [exporting, setExporting] = useState(false);
  const days = daysBetween(from, to);
  const withToday = to >= today && from <= today ? todayKey : "";
  // Counted again when today's numbers change, but never sooner than ten times the
  // last report took (at least 5 s): a big tenant's report is seconds of storage work.
  const [again, setAgain] = useState(0);
  const nextAllowed = useRef(0);
  const later = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (!withToday) return;
    window.clearTimeout(later.current);
    const wait = nextAllowed.current - Date.now();
    if (wait <= 0) setAgain((n) => n + 1);
    else later.current = window.setTimeout(() => setAgain((n) => n + 1), wait);
  }, [withToday]);
  useEffect(() => () => window.clearTimeout(later.current), []);
  const invalid = !from || !to ? t("range.reversed") : days < 1 ? t("range.reversed") : days > kMaxDays ? t("range.tooLong", { n: kMaxDays }) : null;

  useEffect(() => {
    if (invalid) return;
    let stopped = false;
    setBusy(true);
    const began = Date.now();
    fetchReport(session, from, to, zone)
      .then((r) => {
        if (stopped) return;
        setReport(r);
        setError(null);
      })
      .catch((e) => !stopped && fail(e, setError))
      .finally(() => {
        nextAllowed.current = Date.now() + Math.max(5000, 10 * (Date.now() - began));
        if (!stopped) setBusy(false);
      });
    return () => {
      stopped = true;
    };
  }, [session, from, to, zone, invalid, fail, again]);

  const exportCsv = async () => {
    setExporting(true);
    try {
      const { blob, filename } = await fetchCsv(session, from, to, zone);
      const url = URL.createObjectURL(blob);
      const a = document.createElement("a");
      a.href = url;
      a.download = filename;
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) {
      fail(e, setError);
    } finally {
      setExporting(false);
    }
  };
  const preset = (n: number) => () => {
    setFrom(isoDay(new Date(), n - 1));
    setTo(isoDay(new Date()));
  };
  const fromId = useId();
  const toId = useId();
  const locale = lang === "zh" ? "zh-CN" : "en-GB";
  const nobody = t("nobody");
  const defaultQueue = t("queues.default");

  return (
    <section className="dash-range" aria-labelledby="range-title" aria-busy={busy}>
      <div className="dash-section-head">
        <h3 id="range-title">{t("range.title")}</h3>
      </div>
      <div className="card dash-range-controls">
        <div className="pfield">
          <label htmlFor={fromId}>{t("range.from")}</label>
          <input id={fromId} type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} aria-invalid={!!invalid} />
        </div>
        <div className="pfield">
          <label htmlFor={toId}>{t("range.to")}</label>
          <input id={toId} type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} aria-invalid={!!invalid} />
        </div>
        <button type="button" onClick={preset(7)}>
          {t("range.week")}
        </button>
        <button type="button" onClick={preset(30)}>
          {t("range.month")}
        </button>
        <span className="grow" />
        <span className="dash-note">{t("range.zone", { zone })}</span>
        <button type="button" className="primary" onClick={() => void exportCsv()} disabled={!!invalid || exporting}>
          {exporting ? t("range.exporting") : t("range.export")}
        </button>
      </div>
      {invalid && (
        <p className="field-problem" role="alert">
          {invalid}
        </p>
      )}
      {error && (
        <p className="field-problem" role="alert">
          {error}
        </p>
      )}
      {!report ? (
        !error && !invalid && <p className="help">{t("range.loading")}</p>
      ) : (
        <>
          <p className="dash-total" role="status">
            {plural(t, "range.total", report.total.conversations)}
          </p>
          {report.truncated && <p className="banner banner-warning">{t("range.truncated")}</p>}
          <ChartCard
            t={t}
            title={t("chart.days")}
            labels={report.days.map((d) => new Date(`${d.date}T12:00:00Z`).toLocaleDateString(locale, { month: "short", day: "numeric", timeZone: "UTC" }))}
            rowHeads={report.days.map((d) => d.date)}
            headKey="col.date"
            rows={report.days}
            series={[
              { name: t("series.conversations"), key: "conversations", color: "#2f6fed" },
              { name: t("series.closed"), key: "closed", color: "#1f8a4c" },
            ]}
            id="days"
            wide
          />
          <div className="dash-pair">
            <ChartCard
              t={t}
              title={t("chart.agents")}
              labels={report.agents.map((a) => (a.agent_id ? a.name : nobody))}
              rowHeads={report.agents.map((a) => (a.agent_id ? a.name : nobody))}
              headKey="col.agent"
              rows={report.agents}
              series={[{ name: t("series.conversations"), key: "conversations", color: "#4f46e5" }]}
              id="agents"
            />
            <ChartCard
              t={t}
              title={t("chart.groups")}
              labels={report.groups.map((g) => (g.group ? groupName(g.group) : defaultQueue))}
              rowHeads={report.groups.map((g) => (g.group ? groupName(g.group) : defaultQueue))}
              headKey="col.group"
              rows={report.groups}
              series={[{ name: t("series.conversations"), key: "conversations", color: "#c27c0e" }]}
              id="groups"
            />
          </div>
        </>
      )}
    </section>
  );
}

type CountKey = "conversations" | "closed" | "bot_resolved" | "handed_off";
type Row = Record<CountKey, number>;

function ChartCard({
  t,
  title,
  labels,
  rowHeads,
  headKey,
  rows,
  series,
  id,
  wide,
}: {
  t: Tr;
  title: string;
  labels: string[];
  rowHeads: string[];
  headKey: Key;
  rows: Row[];
  series: { name: string; key: CountKey; color: string }[];
  id: string;
  wide?: boolean;
}) {
  const titleId = `chart-${id}-title`;
  const values = rows.map((r) => r.conversations);
  return (
    <section className={"card dash-chart" + (wide ? " is-wide" : "")} aria-labelledby={titleId} data-chart={id}>
      <h4 id={titleId}>{title}</h4>
      <BarChart
        label={title}
        labels={labels}
        series={series.map((s) => ({ name: s.name, values: rows.map((r) => r[s.key]), color: s.color }))}
        summary={chartSummary(labels, values, { total: t("chart.total"), none: t("chart.none") })}
      />
      <details className="dash-table">
        <summary>{t("chart.table")}</summary>
        <table className="ptable" aria-label={title}>
          <thead>
            <tr>
              <th scope="col">{t(headKey)}</th>
              <th scope="col">{t("col.conversations")}</th>
              <th scope="col">{t("col.closed")}</th>
              <th scope="col">{t("col.botResolved")}</th>
              <th scope="col">{t("col.handedOff")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={rowHeads[i] + i}>
                <th scope="row">{rowHeads[i]}</th>
                <td className="num">{r.conversations}</td>
                <td className="num">{r.closed}</td>
                <td className="num">{r.bot_resolved}</td>
                <td className="num">{r.handed_off}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}

// A bar chart on a canvas. The canvas is an image with the chart's gist as its
// name; the numbers themselves are in the table beside it.
function BarChart({ label, labels, series, summary, small }: { label: string; labels: string[]; series: { name: string; values: number[]; color: string }[]; summary: string; small?: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<"bar"> | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    chart.current = new Chart(canvas.current, {
      type: "bar",
      data: { labels: [], datasets: [] },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, x: { grid: { display: false } } },
      },
    });
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    const c = chart.current;
    if (!c) return;
    c.data.labels = labels;
    c.data.datasets = series.map((s) => ({ label: s.name, data: s.values, backgroundColor: s.color, borderRadius: 4, maxBarThickness: 36 }));
    c.options.plugins!.legend!.display = series.length > 1;
    if (small) {
      c.options.scales!.x!.display = false;
      c.options.scales!.y!.display = false;
    }
    c.update();
  }, [labels, series, small]);
  return (
    <div className={"dash-canvas" + (small ? " is-small" : "")}>
      <canvas ref={canvas} role="img" aria-label={`${label}. ${summary}`} />
    </div>
  );
}
