/** @jsxImportSource react */
// The admin pages: sign-in (admins only; an agent is told clearly), then the
// routing editor. Other admin pages join the navigation later.
import { FormEvent, useCallback, useEffect, useMemo, useState } from "react";
import { ApiError, Session, adminApi, resumeSession, signIn, signOut } from "./api";
import { Editor } from "./editor/Editor";
import { Lang, T, initialLanguage, rememberLanguage, translator } from "./i18n";
import { PAGES, PageId, PageView, leaveAllowed, pageFromHash } from "./pages/Pages";
import { pagesTranslator } from "./pages/text";
import { fromUnauthorized, sessionEndSentence, type SessionEnd } from "../shared/session-end";
import { signInRefusal } from "../shared/sign-in";

export function App() {
  const [lang, setLang] = useState<Lang>(initialLanguage);
  const t = useMemo(() => translator(lang), [lang]);
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const api = useMemo(() => (session ? adminApi(session) : null), [session]);
  // Which page: the URL's #hash (#routing, #team, #canned, #knowledge).
  const pt = useMemo(() => pagesTranslator(lang), [lang]);
  const [page, setPage] = useState<PageId>(() => pageFromHash(location.hash));
  const go = (to: PageId) => (e: { preventDefault: () => void }) => {
    if (to !== page && !leaveAllowed(pt("nav.leave"))) e.preventDefault();
  };
  useEffect(() => {
    const onHash = () => setPage(pageFromHash(location.hash));
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);
  useEffect(() => {
    rememberLanguage(lang);
    document.title = t("app.title");
  }, [lang, t]);
  useEffect(() => {
    void resumeSession().then(setSession);
  }, []);

  // The session ended (expired, signed out elsewhere, password changed, removed):
  // back to sign-in, which says why from the 401's code, as the console does.
  const [ended, setEnded] = useState<SessionEnd | null>(null);
  const expired = useCallback((e: unknown) => {
    setEnded(fromUnauthorized((e as ApiError | null)?.body));
    setSession(null);
  }, []);
  const signedIn = useCallback((s: Session) => {
    setEnded(null);
    setSession(s);
  }, []);
  const out = async () => {
    if (session) await signOut(session);
    setEnded(null);
    setSession(null);
  };

  return (
    <div className="app">
      <header className="app-header">
        <span className="brand" aria-hidden="true">
          ◆
        </span>
        <h1>{t("app.title")}</h1>
        {session && session.agent.role === "admin" && (
          <nav aria-label={pt("nav.label")}>
            <a href="#routing" onClick={go("routing")} aria-current={page === "routing" ? "page" : undefined} className={"tab" + (page === "routing" ? " is-current" : "")}>
              {t("app.routing")}
            </a>
            {PAGES.map((p) => (
              <a key={p.id} href={`#${p.id}`} onClick={go(p.id)} aria-current={page === p.id ? "page" : undefined} className={"tab" + (page === p.id ? " is-current" : "")}>
                {pt(p.label)}
              </a>
            ))}
          </nav>
        )}
        <span className="grow" />
        {session && <span className="tenant-tag">{session.tenant}</span>}
        <label className="lang">
          <span className="visually-hidden">{t("app.language")}</span>
          <select aria-label={t("app.language")} value={lang} onChange={(e) => setLang(e.target.value as Lang)}>
            <option value="en">English</option>
            <option value="zh">中文</option>
          </select>
        </label>
        {session && (
          <>
            <span className="who">{t("app.signedInAs", { name: session.agent.name })}</span>
            <button type="button" onClick={() => void out()}>
              {t("app.signOut")}
            </button>
          </>
        )}
      </header>
      <main className="app-main">
        {session === undefined ? null : session === null ? (
          <SignIn t={t} lang={lang} notice={ended && sessionEndSentence(ended, lang)} onSession={signedIn} />
        ) : session.agent.role !== "admin" ? (
          <Refusal t={t} session={session} onOther={() => void out()} />
        ) : page !== "routing" ? (
          <PageView id={page} t={pt} lang={lang} session={session} onExpired={expired} />
        ) : (
          <Editor t={t} lang={lang} api={api!} tenant={session.tenant} onExpired={expired} />
        )}
      </main>
    </div>
  );
}

function SignIn({ t, lang, notice, onSession }: { t: T; lang: Lang; notice: string | null; onSession: (s: Session) => void }) {
  const params = new URLSearchParams(location.search);
  const [tenant, setTenant] = useState(params.get("tenant") ?? localStorage.getItem("switchboard.admin.tenant") ?? "");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await signIn(tenant.trim(), email.trim(), password);
      localStorage.setItem("switchboard.admin.tenant", tenant.trim());
      onSession(s);
    } catch (err) {
      const a = err as ApiError;
      setError(signInRefusal({ status: a.status, retryAfter: a.body?.error?.retry_after, message: a.message }, lang));
      setPassword(""); // as the console does: the next try starts from an empty field
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="signin card" onSubmit={submit} aria-labelledby="signin-title">
      <h2 id="signin-title">{t("signin.title")}</h2>
      <p className="help">{t("signin.lead")}</p>
      {notice && (
        <p className="signin-notice" role="status">
          {notice}
        </p>
      )}
      <label>
        {t("signin.tenant")}
        <input type="text" name="tenant" required autoComplete="organization" placeholder={t("signin.tenantHint")} value={tenant} onChange={(e) => setTenant(e.target.value)} />
      </label>
      <label>
        {t("signin.email")}
        <input type="email" required autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        {t("signin.password")}
        <input type="password" required autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      {error && (
        <p className="field-problem" role="alert">
          {error}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t("signin.busy") : t("signin.submit")}
      </button>
    </form>
  );
}

function Refusal({ t, session, onOther }: { t: T; session: Session; onOther: () => void }) {
  return (
    <section className="refusal card" role="alert" aria-labelledby="refusal-title">
      <h2 id="refusal-title">{t("signin.refused")}</h2>
      <p>{t("signin.notAdmin", { name: session.agent.name })}</p>
      <div className="row buttons">
        <a className="button" href="/console/">
          {t("signin.toConsole")}
        </a>
        <button type="button" onClick={onOther}>
          {t("signin.other")}
        </button>
      </div>
    </section>
  );
}
