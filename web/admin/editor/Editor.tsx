/** @jsxImportSource react */
// The routing editor: the document and its undo history, loading and saving with
// the graph's version (ETag / If-Match), watching for changes made elsewhere, the
// toolbar, the rule outline, the canvas, the inspector and the test panel.
import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import { DragEvent, useCallback, useEffect, useMemo, useRef, useState } from "react";
import { AdminApi, ApiError, DryRunAnswer, DryRunInput, Version } from "../api";
import * as edits from "../graph/edits";
import { canRedo, canUndo, commit, commitSince, History, redo, replacePresent, startHistory, undo } from "../graph/history";
import { freeSpot, needsLayout, withLayout } from "../graph/layout";
import { ActionType, Graph, chainFrom, cleanForSave, isFinal } from "../graph/model";
import { Catalog, Problem, edgeKey, errorsOf, serverProblems, validate } from "../graph/validate";
import type { T } from "../i18n";
import { Canvas, Selection } from "./Canvas";
import { EditorContext, Highlight } from "./context";
import { Inspector } from "./Inspector";
import { Banner, BannerView, ProblemList } from "./Messages";
import { Outline } from "./Outline";
import { NewKind, Palette, kDragType } from "./Palette";
import { TestPanel } from "./TestPanel";
import { parseGraphFile } from "./importExport";
import { VersionsPanel, formatTime } from "./Versions";
import { problemText } from "../pages/ui";
import { groupNames } from "../describe";
import { fromUnauthorized, sessionEndSentence } from "../../shared/session-end";

// Strategies the server installs by default, for when it cannot list them.
const kKnownStrategies = ["routing-sticky", "routing-least-busy", "routing-load-balancing", "routing-load-rotation", "routing-round-robin", "routing-skills", "routing-external", "routing-manual"];
const kPollMs = 4000;

type Props = { t: T; lang: string; api: AdminApi; tenant: string; onExpired: (e: unknown) => void };

export function Editor(props: Props) {
  return (
    <ReactFlowProvider>
      <EditorInside {...props} />
    </ReactFlowProvider>
  );
}

const canonical = (g: Graph) => JSON.stringify(cleanForSave(g));
const prepare = (g: Graph) => (needsLayout(g) ? withLayout(g, true) : g);

function EditorInside({ t, lang, api, tenant, onExpired }: Props) {
  const flow = useReactFlow();
  const [history, setHistory] = useState<History<Graph> | null>(null);
  const [saved, setSaved] = useState("");
  const [etag, setEtag] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [catalog, setCatalog] = useState<(Catalog & { default_chain?: string[] }) | null>(null);
  const [selection, setSelection] = useState<Selection>({ nodes: [], edges: [] });
  const [banner, setBanner] = useState<Banner | null>(null);
  const [rejected, setRejected] = useState<{ graph: Graph; problems: Problem[] } | null>(null);
  const [saving, setSaving] = useState(false);
  const [testOpen, setTestOpen] = useState(false);
  const [answer, setAnswer] = useState<DryRunAnswer | null>(null);
  const [versionsOpen, setVersionsOpen] = useState(false);
  const [savedCount, setSavedCount] = useState(0);
  const gestureOrigin = useRef<Graph | null>(null);
  const lastCoalesce = useRef<{ key: string; at: number } | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  const graph = history?.present ?? null;
  const dirty = useMemo(() => !!graph && canonical(graph) !== saved, [graph, saved]);

  // Loading, and watching the server for a newer version.
  const load = useCallback(async () => {
    try {
      const read = await api.getRouting();
      if ("unchanged" in read) return;
      const g = prepare(read.graph);
      setHistory(startHistory(g));
      setSaved(canonical(g));
      setEtag(read.etag);
      setRejected(null);
      setAnswer(null);
      setBanner(null);
      setLoadError(null);
      setSelection({ nodes: [], edges: [] });
      requestAnimationFrame(() => flow.fitView({ padding: 0.15, maxZoom: 1 }));
    } catch (e) {
      if ((e as ApiError).status === 401) return onExpired(e);
      setLoadError((e as Error).message);
    }
  }, [api, flow, onExpired]);
  useEffect(() => {
    void load();
    void api.catalog().then(setCatalog);
  }, [api, load]);

  const state = useRef({ etag, saved, saving, banner });
  state.current = { etag, saved, saving, banner };
  useEffect(() => {
    let stopped = false;
    const check = async () => {
      const s = state.current;
      if (stopped || s.saving || !history) return;
      try {
        const read = await api.getRouting(s.etag);
        if ("unchanged" in read || stopped || state.current.saving) return;
        const changed = read.etag && s.etag ? read.etag !== s.etag : canonical(prepare(read.graph)) !== s.saved;
        if (changed) setBanner({ kind: "changed", remote: { graph: read.graph, etag: read.etag } });
      } catch {
        // offline for a moment: the next poll tries again
      }
    };
    const timer = window.setInterval(check, kPollMs);
    window.addEventListener("focus", check);
    return () => {
      stopped = true;
      window.clearInterval(timer);
      window.removeEventListener("focus", check);
    };
  }, [api, history === null]); // eslint-disable-line react-hooks/exhaustive-deps

  // The tab's title shows unsaved changes too.
  useEffect(() => {
    document.title = `${dirty ? "● " : ""}${t("app.routing")} · ${t("app.title")}`;
  }, [dirty, t]);

  // Leaving with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = t("leave.warning");
      return t("leave.warning");
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty, t]);

  // Editing.
  const change = useCallback((next: Graph, coalesce?: string) => {
    setHistory((h) => {
      if (!h || next === h.present) return h;
      const now = Date.now();
      const same = coalesce && lastCoalesce.current?.key === coalesce && now - lastCoalesce.current.at < 1500;
      lastCoalesce.current = coalesce ? { key: coalesce, at: now } : null;
      return same ? replacePresent(h, next) : commit(h, next);
    });
    setAnswer(null);
  }, []);
  const live = useCallback((next: Graph) => setHistory((h) => (h ? replacePresent(h, next) : h)), []);
  const gestureStart = useCallback(() => {
    gestureOrigin.current = history?.present ?? null;
  }, [history]);
  const gestureEnd = useCallback(() => {
    const origin = gestureOrigin.current;
    gestureOrigin.current = null;
    if (origin) setHistory((h) => (h ? commitSince(h, origin) : h));
  }, []);
  const doUndo = useCallback(() => setHistory((h) => (h ? undo(h) : h)), []);
  const doRedo = useCallback(() => setHistory((h) => (h ? redo(h) : h)), []);

  const groups = catalog?.groups ?? [];
  const fullCatalog: Catalog & { default_chain?: string[] } = catalog ?? { groups: [], strategies: kKnownStrategies.map((name) => ({ name })) };
  const firstGroup = groups[0]?.id ?? "";
  const groupName = useMemo(() => groupNames(catalog?.groups), [catalog]);

  // The heights React Flow measured, so auto-layout leaves no overlap.
  const measuredHeights = () => new Map(flow.getNodes().flatMap((n) => (n.measured?.height ? [[n.id, n.measured.height] as [string, number]] : [])));
  const select = useCallback((id: string) => setSelection({ nodes: [id], edges: [] }), []);
  const center = () => {
    const box = document.querySelector(".canvas")?.getBoundingClientRect();
    const p = box ? flow.screenToFlowPosition({ x: box.left + box.width / 2, y: box.top + box.height / 2 }) : { x: 0, y: 0 };
    return { x: Math.round(p.x - 130), y: Math.round(p.y - 60) };
  };
  // A new node placed by the editor (not dropped by the mouse) goes next to the
  // nodes already there, never over one.
  const besideOthers = (want: { x: number; y: number }) =>
    freeSpot(
      want,
      flow.getNodes().map((n) => ({ x: n.position.x, y: n.position.y, w: n.measured?.width ?? 260, h: n.measured?.height ?? 110 })),
      { w: 260, h: 130 },
    );
  const addRule = (at?: { x: number; y: number }) => {
    if (!graph) return;
    const { graph: next, id } = edits.addRule(graph, t("node.newRule"), at ?? besideOthers(center()));
    change(next);
    select(id);
  };
  const addAction = (type: ActionType, at?: { x: number; y: number }) => {
    if (!graph) return;
    const from = !at && selection.nodes.length === 1 ? selection.nodes[0] : null;
    const fromAction = graph.actions.find((a) => a.id === from);
    const canFollow = from && (!fromAction || !isFinal(fromAction.type)) && !graph.edges.some((e) => e.from === from);
    const node = [...graph.rules, ...graph.actions].find((n) => n.id === from) ?? (from === graph.fallback.id ? graph.fallback : null);
    const position = at ?? besideOthers(canFollow && node?.position ? { x: node.position.x + 320, y: node.position.y } : center());
    const { graph: next, id } = edits.addAction(graph, type, position, canFollow ? from! : undefined, firstGroup);
    change(next);
    select(id);
  };

  const add = (kind: NewKind, at?: { x: number; y: number }) => (kind === "rule" ? addRule(at) : addAction(kind, at));
  const onDrop = (e: DragEvent) => {
    const kind = e.dataTransfer.getData(kDragType) as NewKind;
    if (!kind) return;
    e.preventDefault();
    const p = flow.screenToFlowPosition({ x: e.clientX, y: e.clientY });
    add(kind, { x: Math.round(p.x - 40), y: Math.round(p.y - 20) });
  };

  // Problems: ours always, the server's while the nodes they name are as they were.
  const problems = useMemo(() => {
    if (!graph) return [] as Problem[];
    const mine = validate(graph, catalog ?? undefined);
    if (!rejected) return mine;
    const sameNode = (id?: string) => {
      if (!id) return true;
      const find = (g: Graph) => g.rules.find((r) => r.id === id) ?? g.actions.find((a) => a.id === id) ?? (g.fallback.id === id ? g.fallback : undefined);
      const now = find(graph);
      return !!now && JSON.stringify(now) === JSON.stringify(find(rejected.graph));
    };
    return [...mine, ...rejected.problems.filter((p) => sameNode(p.node))];
  }, [graph, catalog, rejected]);
  const byNode = useMemo(() => {
    const m = new Map<string, Problem[]>();
    for (const p of problems) if (p.node) m.set(p.node, [...(m.get(p.node) ?? []), p]);
    return m;
  }, [problems]);
  const edgeProblems = useMemo(() => new Set(problems.filter((p) => p.edge).map((p) => p.edge!)), [problems]);

  // Saving, with the version the editor started from.
  const save = useCallback(async () => {
    if (!graph || saving) return;
    const errors = errorsOf(problems);
    if (errors.length) {
      setBanner({ kind: "error", text: t("banner.saveBlocked") });
      const first = errors.find((p) => p.node);
      if (first?.node) select(first.node);
      return;
    }
    setSaving(true);
    const sent = graph;
    try {
      const result = await api.putRouting(cleanForSave(sent), etag);
      const g = prepare(result.graph);
      setHistory((h) => (h ? (h.present === sent ? replacePresent(h, g) : h) : h));
      setSaved(canonical(g));
      setEtag(result.etag);
      setRejected(null);
      setBanner({ kind: "success", text: t("tb.saved") });
      setSavedCount((n) => n + 1);
    } catch (e) {
      const err = e as ApiError;
      if (err.status === 401) {
        // Not straight to sign-in: the unsaved work would go with the page.
        setBanner({ kind: "error", text: t("banner.expired", { reason: sessionEndSentence(fromUnauthorized(err.body), lang === "zh" ? "zh" : "en") }) });
      } else if (err.status === 412) {
        setBanner({ kind: "changed", remote: null });
      } else if (err.status === 422 && Array.isArray(err.body?.errors)) {
        const found = serverProblems(sent, err.body.errors);
        setRejected({ graph: sent, problems: found });
        setBanner({ kind: "error", text: t("banner.serverRejected") });
        const first = found.find((p) => p.node);
        if (first?.node) select(first.node);
      } else {
        setBanner({ kind: "error", text: t("banner.saveFailed", { message: problemText(err) }) });
      }
    } finally {
      setSaving(false);
    }
  }, [graph, saving, problems, api, etag, t, select]);

  const reloadRemote = async () => {
    if (banner?.kind === "changed" && banner.remote) {
      const g = prepare(banner.remote.graph);
      setHistory(startHistory(g));
      setSaved(canonical(g));
      setEtag(banner.remote.etag);
      setRejected(null);
      setAnswer(null);
      setBanner(null);
      setSelection({ nodes: [], edges: [] });
    } else {
      await load();
    }
  };

  const exportJson = () => {
    if (!graph) return;
    const blob = new Blob([JSON.stringify(cleanForSave(graph), null, 2) + "\n"], { type: "application/json" });
    const url = URL.createObjectURL(blob);
    const a = document.createElement("a");
    a.href = url;
    a.download = `routing-${tenant}.json`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const importJson = async (file: File) => {
    try {
      const g = parseGraphFile(await file.text());
      change(prepare(g));
      setBanner({ kind: "info", text: t("banner.imported", { file: file.name }) });
    } catch (e) {
      setBanner({ kind: "error", text: t("banner.importFailed", { message: (e as Error).message }) });
    }
  };

  const viewVersion = async (v: Version) => {
    try {
      const full = await api.version(v.seq);
      change(prepare(full.graph));
      setRejected(null);
      setSelection({ nodes: [], edges: [] });
      const who = v.by.id ? t("versions.by", { name: v.by.name }) : t("versions.byFile");
      setBanner({ kind: "info", text: t("banner.viewing", { seq: v.seq, time: formatTime(v.at, lang), who }) });
      requestAnimationFrame(() => flow.fitView({ padding: 0.15, maxZoom: 1, duration: 300 }));
    } catch (e) {
      setBanner({ kind: "error", text: t("versions.failed", { message: (e as Error).message }) });
    }
  };

  // The test: highlight the rule that fired and its path.
  const runTest = async (input: DryRunInput) => {
    setAnswer(await api.dryRun(input));
  };
  const highlight: Highlight | null = useMemo(() => {
    if (!answer || !graph) return null;
    const fired = answer.rule_index >= 0 ? answer.rule : graph.fallback.id;
    const chain = chainFrom(graph, fired);
    const ids = answer.actions.length ? answer.actions.map((a) => a.id) : chain.map((a) => a.id);
    const path = new Set([fired, ...ids]);
    const edgeSet = new Set<string>();
    let from = fired;
    for (const id of ids) {
      edgeSet.add(edgeKey({ from, to: id }));
      from = id;
    }
    return { fired, path, edges: edgeSet, last: ids[ids.length - 1] ?? null, answer };
  }, [answer, graph]);

  // Keyboard shortcuts (not while typing in a field, except save).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = e.target instanceof HTMLElement && /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
      const mod = e.ctrlKey || e.metaKey;
      if (mod && e.key.toLowerCase() === "s") {
        e.preventDefault();
        void save();
      } else if (typing) {
        return;
      } else if (mod && e.key.toLowerCase() === "z") {
        e.preventDefault();
        e.shiftKey ? doRedo() : doUndo();
      } else if (mod && e.key.toLowerCase() === "y") {
        e.preventDefault();
        doRedo();
      } else if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown") && graph && selection.nodes.length === 1) {
        const id = selection.nodes[0];
        if (graph.rules.some((r) => r.id === id)) {
          e.preventDefault();
          e.stopPropagation();
          change(edits.moveRule(graph, id, e.key === "ArrowUp" ? -1 : 1));
        }
      }
    };
    window.addEventListener("keydown", onKey, true);
    return () => window.removeEventListener("keydown", onKey, true);
  }, [save, doUndo, doRedo, graph, selection, change]);

  if (loadError) return <p className="load-error" role="alert">{t("load.failed", { message: loadError })}</p>;
  if (!graph || !history) return <p className="loading">{t("load.loading")}</p>;

  const selected = selection.nodes.length === 1 ? selection.nodes[0] : null;
  const errorCount = errorsOf(problems).length;
  const ruleName = (id: string) => graph.rules.find((r) => r.id === id)?.name || id;

  return (
    <EditorContext.Provider value={{ t, problems: byNode, highlight, groupName }}>
      <div className="editor">
        <div className="toolbar" role="toolbar" aria-label={t("app.routing")}>
          <button type="button" className="primary" onClick={() => void save()} disabled={saving} aria-keyshortcuts="Control+S">
            {saving ? t("tb.saving") : t("tb.save")}
          </button>
          <span className={dirty ? "dirty-mark is-dirty" : "dirty-mark"} role="status" aria-live="polite">
            {dirty ? `● ${t("tb.unsaved")}` : ""}
          </span>
          <span className="sep" />
          <button type="button" onClick={doUndo} disabled={!canUndo(history)} aria-label={t("tb.undo")} title={`${t("tb.undo")} (Ctrl+Z)`} aria-keyshortcuts="Control+Z">
            ↶
          </button>
          <button type="button" onClick={doRedo} disabled={!canRedo(history)} aria-label={t("tb.redo")} title={`${t("tb.redo")} (Ctrl+Shift+Z)`} aria-keyshortcuts="Control+Shift+Z">
            ↷
          </button>
          <span className="sep" />
          <button type="button" onClick={() => addRule()}>
            + {t("tb.addRule")}
          </button>
          <span className="sep" />
          <button type="button" onClick={() => { change(withLayout(graph, false, measuredHeights())); requestAnimationFrame(() => flow.fitView({ padding: 0.15, maxZoom: 1, duration: 300 })); }}>
            {t("tb.layout")}
          </button>
          <button type="button" onClick={() => flow.fitView({ padding: 0.15, maxZoom: 1, duration: 300 })}>
            {t("tb.fit")}
          </button>
          <span className="sep" />
          <button type="button" onClick={() => fileInput.current?.click()}>
            {t("tb.import")}
          </button>
          <input
            ref={fileInput}
            type="file"
            accept="application/json,.json"
            className="hidden"
            aria-label={t("tb.import")}
            tabIndex={-1}
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = "";
              if (f) void importJson(f);
            }}
          />
          <button type="button" onClick={exportJson}>
            {t("tb.export")}
          </button>
          {dirty && (
            <button type="button" onClick={() => void load()} aria-label={t("tb.revert")} title={t("tb.revert")}>
              {t("tb.revertShort")}
            </button>
          )}
          <span className="grow" />
          <span className={errorCount ? "problem-count has-errors" : "problem-count"} role="status">
            {errorCount === 1 ? t("tb.problem1") : errorCount ? t("tb.problems", { n: errorCount }) : t("tb.noProblems")}
          </span>
          <button type="button" className={versionsOpen ? "toggle is-on" : "toggle"} aria-pressed={versionsOpen} onClick={() => setVersionsOpen(!versionsOpen)}>
            {t("tb.versions")}
          </button>
          <button type="button" className={testOpen ? "toggle is-on" : "toggle"} aria-pressed={testOpen} onClick={() => setTestOpen(!testOpen)}>
            ▶ {t("tb.test")}
          </button>
        </div>
        {banner && <BannerView t={t} banner={banner} dirty={dirty} onReload={() => void reloadRemote()} onClose={() => setBanner(null)} onExport={exportJson} />}
        <div className="workspace">
          <div className="left">
            <Outline t={t} graph={graph} selected={selected} problems={byNode} onChange={change} onSelect={select} />
            <Palette t={t} onAdd={(kind) => add(kind)} />
          </div>
          <div className="canvas" role="region" aria-label={t("app.routing")} onDragOver={(e) => e.dataTransfer.types.includes(kDragType) && e.preventDefault()} onDrop={onDrop}>
            <Canvas graph={graph} selection={selection} onSelection={setSelection} commit={change} live={live} gestureStart={gestureStart} gestureEnd={gestureEnd} edgeProblems={edgeProblems} />
          </div>
          <aside className="side">
            {versionsOpen && <VersionsPanel t={t} api={api} lang={lang} currentEtag={etag} refresh={savedCount} onView={(v) => void viewVersion(v)} close={() => setVersionsOpen(false)} />}
            {testOpen && <TestPanel t={t} dirty={dirty} answer={answer} ruleName={ruleName} run={runTest} clear={() => setAnswer(null)} close={() => { setTestOpen(false); setAnswer(null); }} />}
            {selected ? (
              <Inspector t={t} graph={graph} selected={selected} catalog={fullCatalog} problems={byNode.get(selected) ?? []} onChange={change} onSelect={select} />
            ) : (
              !testOpen && !versionsOpen && <ProblemList t={t} problems={problems} graph={graph} onSelect={select} />
            )}
          </aside>
        </div>
      </div>
    </EditorContext.Provider>
  );
}
