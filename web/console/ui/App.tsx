import { useEffect } from "preact/hooks";
import { kTabs, totalUnread } from "../model/inbox";
import { useApp } from "./context";
import { ConversationView } from "./ConversationView";
import { Dialogs } from "./Dialogs";
import { Inbox } from "./Inbox";
import { SignIn } from "./SignIn";
import { TopBar } from "./TopBar";

export function App() {
  const [state, store] = useApp();
  const t = store.t;

  // The tab title counts unread visitor messages.
  const unread = state.phase === "signed-in" ? totalUnread(state.inbox) : 0;
  useEffect(() => {
    const title = `${t("consoleName")} · ${t("appName")}`;
    document.title = unread > 0 ? t("titleUnread", { n: unread, title }) : title;
  }, [unread, state.lang]);

  useEffect(() => {
    const onVisible = () => store.visible();
    // The network is back: try now rather than at the end of the backoff.
    const onOnline = () => store.state.connection === "reconnecting" && store.reconnectNow();
    const onOffline = () => store.networkLost();
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener("focus", onVisible);
    window.addEventListener("online", onOnline);
    window.addEventListener("offline", onOffline);
    return () => {
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener("focus", onVisible);
      window.removeEventListener("online", onOnline);
      window.removeEventListener("offline", onOffline);
    };
  }, []);

  // Typing indicators expire on their own: look again every second while one shows.
  const anyTyping = Object.values(state.typing).some((until) => until > Date.now());
  useEffect(() => {
    if (!anyTyping) return;
    const timer = setInterval(() => store.tick(), 1000);
    return () => clearInterval(timer);
  }, [anyTyping]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => shortcut(e);
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  function shortcut(e: KeyboardEvent) {
    const s = store.state;
    if (s.phase !== "signed-in") return;
    const target = e.target as HTMLElement;
    const editing = target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable;
    if (e.key === "Escape" && s.dialog) {
      store.setDialog(null);
      return;
    }
    if (e.key === "?" && !editing && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      store.setDialog(s.dialog === "shortcuts" ? null : "shortcuts");
      return;
    }
    if (!e.altKey || e.ctrlKey || e.metaKey || s.dialog) return;
    const id = s.selected;
    const conv = id ? s.inbox.convs[id] : undefined;
    const mine = conv?.status === "assigned" && conv.assignee === s.session?.agent.id;
    const digit = /^Digit([1-4])$/.exec(e.code);
    let handled = true;
    if (e.code === "ArrowDown") store.step(1);
    else if (e.code === "ArrowUp") store.step(-1);
    else if (digit) {
      const tabs = kTabs.filter((tab) => tab !== "all" || s.inbox.admin);
      const tab = tabs[Number(digit[1]) - 1];
      if (tab) store.setTab(tab);
    } else if (e.code === "KeyR") store.focusComposer();
    else if (e.code === "KeyN") {
      store.setNoteMode(!s.noteMode);
      store.focusComposer();
    } else if (e.code === "KeyA" && id && (conv?.status === "queued" || s.inbox.offers[id])) store.accept(id);
    else if (e.code === "KeyT" && id && mine) store.openTransfer();
    else if (e.code === "KeyW" && id && mine) store.setDialog("close");
    else handled = false;
    if (handled) e.preventDefault();
  }

  if (state.phase === "loading") return <div class="loading">{t("loading")}</div>;
  if (state.phase === "signed-out") return <SignIn />;
  const lost = state.wasOpen && state.connection === "reconnecting";
  return (
    <div class="shell">
      <TopBar />
      {lost && (
        <div class="banner" role="alert">
          <span class="spinner" aria-hidden="true" />
          {t("reconnecting")}
          <button class="link-button" onClick={() => store.reconnectNow()}>
            {t("reconnectNow")}
          </button>
        </div>
      )}
      <div class={`workspace ${state.selected && state.inbox.convs[state.selected] ? "has-selection" : ""}`}>
        <Inbox />
        <ConversationView />
      </div>
      <Dialogs />
      <div class="toasts" aria-live="polite">
        {state.toasts.map((toast) => (
          <div key={toast.id} class={`toast ${toast.kind}`} role={toast.kind === "error" ? "alert" : "status"}>
            <span>{toast.text}</span>
            <button class="icon-button small" aria-label={t("dismiss")} onClick={() => store.dismiss(toast.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </div>
  );
}
