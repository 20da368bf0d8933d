/** @jsxImportSource react */
// The admin pages besides the routing editor, as App.tsx's navigation lists them
// (after "Routing"): one entry per page, chosen by the URL's #hash.
import { Component, ReactNode, Suspense, lazy, useMemo } from "react";
import type { Session } from "../api";
import { pagesApi } from "./api";
import type { Lang } from "../i18n";
import { AuditPage } from "./Audit";
import { CannedPage } from "./Canned";
import { Conversations } from "./Conversations";
// Loaded when first opened: it brings Chart.js (web/README.md says what it costs).
const Dashboard = lazy(() => import("./Dashboard").then((m) => ({ default: m.Dashboard })));
import { KnowledgePage } from "./Knowledge";
import { UnansweredPage } from "./Unanswered";
import { GroupsPage } from "./Groups";
import { TeamPage } from "./Team";
import { WidgetPage } from "./Widget";
import type { PT, PageKey } from "./text";
import "./pages.css";

export const PAGES = [
  { id: "dashboard", label: "nav.dashboard" },
  { id: "team", label: "nav.team" },
  { id: "canned", label: "nav.canned" },
  { id: "knowledge", label: "nav.knowledge" },
  { id: "unanswered", label: "nav.unanswered" },
  { id: "conversations", label: "nav.conversations" },
  { id: "widget", label: "nav.widget" },
  { id: "groups", label: "nav.groups" },
  { id: "audit", label: "nav.audit" },
] as const satisfies readonly { id: string; label: PageKey }[];

export type PageId = "routing" | (typeof PAGES)[number]["id"];

export function pageFromHash(hash: string): PageId {
  const id = hash.replace(/^#/, "");
  return (PAGES.find((p) => p.id === id)?.id ?? "routing") as PageId;
}

// Leaving a page with unsaved changes (the routing editor's or a page's marker
// says so) through the navigation asks first; a page's own beforeunload covers
// closing the tab.
export function leaveAllowed(message: string): boolean {
  return !document.querySelector(".dirty-mark.is-dirty") || window.confirm(message);
}

export function PageView({ id, t, lang, session, onExpired }: { id: PageId; t: PT; lang: Lang; session: Session; onExpired: (e: unknown) => void }) {
  const api = useMemo(() => pagesApi(session), [session]);
  return (
    <div className="ppage-scroll">
      {id === "dashboard" && (
        <LoadBoundary t={t}>
          <Suspense fallback={<p className="help">{t("common.loading")}</p>}>
            <Dashboard session={session} lang={lang} onExpired={onExpired} />
          </Suspense>
        </LoadBoundary>
      )}
      {id === "team" && <TeamPage t={t} api={api} onExpired={onExpired} />}
      {id === "canned" && <CannedPage t={t} api={api} onExpired={onExpired} />}
      {id === "knowledge" && <KnowledgePage t={t} api={api} lang={lang} session={session} onExpired={onExpired} />}
      {id === "unanswered" && <UnansweredPage t={t} lang={lang} api={api} onExpired={onExpired} />}
      {id === "conversations" && <Conversations session={session} lang={lang} onExpired={onExpired} />}
      {id === "widget" && <WidgetPage pt={t} lang={lang} api={api} tenant={session.tenant} onExpired={onExpired} />}
      {id === "groups" && <GroupsPage pt={t} lang={lang} api={api} onExpired={onExpired} />}
      {id === "audit" && <AuditPage t={t} lang={lang} api={api} onExpired={onExpired} />}
    </div>
  );
}

// A page loaded when first opened whose code cannot be fetched (the server stopped
// or restarting, or updated since this tab loaded, so the old file is gone): said
// on the page, with a reload, instead of React unmounting the whole admin app.
class LoadBoundary extends Component<{ t: PT; children: ReactNode }, { failed: boolean }> {
  state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  render() {
    const { t, children } = this.props;
    if (!this.state.failed) return children;
    return (
      <div className="banner banner-error" role="alert">
        <span className="grow">{t("common.pageLoadFailed")}</span>
        <button type="button" onClick={() => location.reload()}>
          {t("common.reload")}
        </button>
      </div>
    );
  }
}
