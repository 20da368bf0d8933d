import type { Lang } from "../i18n";
import { presenceShown } from "../model/presence";
import type { AgentStatus } from "../model/types";
import { useApp } from "./context";
import { BellIcon, BellOffIcon, LogoIcon, MonitorIcon } from "./Icons";
import { initials } from "./RichText";

export function LanguageSelect() {
  const [state, store] = useApp();
  return (
    <label class="inline-select">
      <span class="sr-only">{store.t("language")}</span>
      <select aria-label={store.t("language")} value={state.lang} onChange={(e) => store.setLanguage(e.currentTarget.value as Lang)}>
        <option value="en">English</option>
        <option value="zh">中文</option>
      </select>
    </label>
  );
}

export function TopBar() {
  const [state, store] = useApp();
  const t = store.t;
  const agent = state.session!.agent;
  const shown = presenceShown(state);
  return (
    <header class="topbar">
      <div class="brand">
        <span class="logo" aria-hidden="true">
          <LogoIcon />
        </span>
        <span class="brand-name">{t("appName")}</span>
        <span class="brand-sub">{t("consoleName")}</span>
        <span class="tenant-pill" title={t("tenant")}>
          {state.session!.tenant}
        </span>
      </div>
      <div class="topbar-actions">
        <label class={`presence presence-${shown}`}>
          <span class="dot" aria-hidden="true" />
          {/* Without a connection the server counts the agent offline: say so until it is back. */}
          <select aria-label={t("presence")} value={shown} disabled={shown === "lost"} onChange={(e) => store.setStatus(e.currentTarget.value as AgentStatus)}>
            {shown === "lost" && <option value="lost">{t("presenceLost")}</option>}
            <option value="online">{t("online")}</option>
            <option value="away">{t("away")}</option>
            <option value="offline">{t("offline")}</option>
          </select>
        </label>
        <button class={`icon-button ${state.sound ? "on" : ""}`} aria-pressed={state.sound} aria-label={t("sound")} title={state.sound ? t("soundOn") : t("soundOff")} onClick={() => store.toggleSound()}>
          {state.sound ? <BellIcon /> : <BellOffIcon />}
        </button>
        {state.desktop !== "unsupported" && (
          <button
            class={`icon-button ${state.desktop === "granted" ? "on" : ""}`}
            aria-pressed={state.desktop === "granted"}
            aria-label={state.desktop === "granted" ? t("desktopOn") : state.desktop === "denied" ? t("desktopDenied") : t("desktopOff")}
            title={state.desktop === "granted" ? t("desktopOn") : state.desktop === "denied" ? t("desktopDenied") : t("desktopOff")}
            disabled={state.desktop !== "default"}
            onClick={() => void store.turnOnDesktop()}
          >
            <MonitorIcon />
          </button>
        )}
        <LanguageSelect />
        <button class="icon-button" aria-label={t("shortcuts")} title={t("shortcuts") + " (?)"} onClick={() => store.setDialog("shortcuts")}>
          ?
        </button>
        <span class="me" title={agent.email ?? agent.id}>
          <span class="avatar small" aria-hidden="true">
            {initials(agent.name)}
          </span>
          <span class="me-name">{agent.name}</span>
        </span>
        <button class="ghost" onClick={() => void store.signOut()}>
          {t("signOut")}
        </button>
      </div>
    </header>
  );
}
