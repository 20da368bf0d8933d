/** @jsxImportSource react */
// The admin pages besides the routing editor, as App.tsx's navigation lists them
// (after "Routing"): one entry per page, chosen by the URL's #hash.
import { Suspense, lazy, useMemo } from "react";
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

export function PageView({ id, t, lang, session, onExpired }: { id: PageId; t: PT; lang: Lang; session: Session; onExpired: () => void }) {
  const api = useMemo(() => pagesApi(session), [session]);
  return (
    <div className="ppage-scroll">
      {id === "dashboard" && (
        <Suspense fallback={<p className="help">{t("common.loading")}</p>}>
          <Dashboard session={session} lang={lang} onExpired={onExpired} />
        </Suspense>
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
