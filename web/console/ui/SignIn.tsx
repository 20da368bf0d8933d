import { useState } from "preact/hooks";
import { useApp } from "./context";
import { LogoIcon } from "./Icons";
import { LanguageSelect } from "./TopBar";

const kLastTenant = "sb.console.tenant";

export function SignIn() {
  const [state, store] = useApp();
  const t = store.t;
  const [tenant, setTenant] = useState(() => localStorage.getItem(kLastTenant) ?? new URLSearchParams(location.search).get("tenant") ?? "");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      localStorage.setItem(kLastTenant, tenant.trim());
    } catch {
      /* storage blocked */
    }
    const failure = await store.signIn(tenant, email, password);
    setBusy(false);
    if (failure) {
      setError(failure);
      setPassword("");
    }
  }

  return (
    <main class="signin">
      <div class="signin-card">
        <div class="signin-brand">
          <span class="logo" aria-hidden="true">
            <LogoIcon />
          </span>
          <span>{t("appName")}</span>
        </div>
        <h1>{t("signInTitle")}</h1>
        <p class="muted">{t("signInLead")}</p>
        {state.notice && (
          <p class="notice" role="status">
            {state.notice}
          </p>
        )}
        <form onSubmit={submit} aria-label={t("signInTitle")}>
          <label>
            {t("tenant")}
            <input name="tenant" value={tenant} onInput={(e) => setTenant(e.currentTarget.value)} placeholder={t("tenantHint")} autoComplete="organization" required />
          </label>
          <label>
            {t("email")}
            <input name="email" type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} autoComplete="username" required />
          </label>
          <label>
            {t("password")}
            <input name="password" type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} autoComplete="current-password" required />
          </label>
          {error && (
            <p class="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="primary wide" disabled={busy}>
            {busy ? t("signingIn") : t("signIn")}
          </button>
        </form>
        <div class="signin-foot">
          <LanguageSelect />
        </div>
      </div>
    </main>
  );
}
