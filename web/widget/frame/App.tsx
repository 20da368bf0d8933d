// The chat panel: a dialog with the tenant's title, the conversation as a log,
// the composer, and the forms (pre-chat, leave a message, rating).
import { useEffect, useRef, useState } from "preact/hooks";
import { format } from "../../shared/i18n";
import type { Texts } from "../texts";
import type { WidgetSettings } from "./settings";
import type { Session, Problem } from "./session";
import { useStore } from "./store";
import { isRead, quickReplies } from "./state";
import { EntryView } from "./Message";
import { formatBytes } from "./files";
import { kMaxVisitorText, lengthNote, pasteInto, queueLine } from "./words";
import { Rating, VisitorForm } from "./Forms";

export interface AppProps {
  session: Session;
  settings: WidgetSettings;
  t: Texts;
  title: string;
  greeting: string;
  offlineMessage: string;
  onClose: () => void;
  focusTick: number; // changes when the panel is opened: focus the composer
}

const kFocusable = 'a[href], button:not([disabled]), textarea:not([disabled]), input:not([disabled]):not([type="file"]), [tabindex]:not([tabindex="-1"])';

export function problemText(t: Texts, p: Problem, maxBytes: number): string {
  if (p.kind === "refused") {
    if (p.refusal.reason === "disabled") return t.attachmentsOff;
    if (p.refusal.reason === "too_large") return format(t.tooLarge, { name: p.name, limit: p.refusal.limit });
    return format(t.forbiddenType, { name: p.name });
  }
  if (p.kind === "upload") return uploadText(t, p.name, p.code, maxBytes);
  if (p.code === "rate_limited") return t.slowDown;
  if (p.code === "too_large") return t.tooLong;
  return t.error;
}

// A file the server refused or that could not reach it, by the refusal's code (the
// server's own words are English, for its operators).
export function uploadText(t: Texts, name: string, code: string, maxBytes: number): string {
  if (code === "attachments_disabled" || code === "forbidden_origin") return t.attachmentsOff;
  if (code === "too_large") return format(t.tooLarge, { name, limit: formatBytes(maxBytes) });
  const reason =
    code === "unsupported_type" ? t.reasonType : code === "empty_file" ? t.reasonEmpty : code === "quota_exceeded" ? t.reasonFull : code === "network" || code === "offline" ? t.reasonOffline : t.reasonOther;
  return format(t.uploadFailed, { name, reason });
}

export function App(props: AppProps) {
  const { session, settings, t } = props;
  const view = useStore(session.view);
  const { chat } = view;
  const panel = useRef<HTMLDivElement>(null);
  const log = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [text, setText] = useState("");
  const [pasteCut, setPasteCut] = useState(0); // characters the last paste left out
  const note = lengthNote(t, text.length, pasteCut);

  const hasConversation = chat.conversationId !== null || chat.entries.length > 0;
  const mode = hasConversation || view.formDone ? "chat" : !settings.available ? "offline" : settings.pre_chat.enabled && settings.pre_chat.fields.length ? "prechat" : "chat";
  const closed = chat.status === "closed";
  const rating = view.rating;
  const rate = (s: number, c: string) => session.rate(s, c);
  // A conversation that closed before a reload, still to be rated: offered above
  // whatever the panel shows until the visitor rates it or says no thanks.
  const earlier =
    rating && chat.status === "none" ? (
      <div class="sb-closed sb-earlier">
        <p class="sb-earlier-note">{t.earlierClosed}</p>
        <Rating t={t} rated={rating.rated} onRate={rate} onDismiss={() => session.dismissRating()} />
      </div>
    ) : null;

  // The newest message stays in view (also when the keyboard shrinks the viewport).
  useEffect(() => {
    const el = log.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [chat.entries.length, view.typing, chat.queue, closed, view.uploads.length, view.problems.length]);
  useEffect(() => {
    const keep = () => log.current && (log.current.scrollTop = log.current.scrollHeight);
    window.visualViewport?.addEventListener("resize", keep);
    window.addEventListener("resize", keep);
    return () => {
      window.visualViewport?.removeEventListener("resize", keep);
      window.removeEventListener("resize", keep);
    };
  }, []);

  useEffect(() => {
    if (props.focusTick === 0) return;
    const target = input.current ?? panel.current?.querySelector<HTMLElement>(kFocusable);
    target?.focus();
  }, [props.focusTick, mode, closed]);

  // Keyboard: Tab stays inside the panel (Esc is the document's, in main.tsx).
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key !== "Tab" || !panel.current) return;
    const items = Array.from(panel.current.querySelectorAll<HTMLElement>(kFocusable)).filter((el) => el.offsetParent !== null || el === document.activeElement);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    const active = document.activeElement;
    if (e.shiftKey && (active === first || !panel.current.contains(active))) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (active === last || !panel.current.contains(active))) {
      e.preventDefault();
      first.focus();
    }
  };

  const send = () => {
    if (!text.trim()) return;
    session.send(text);
    setText("");
    setPasteCut(0);
    input.current?.focus();
  };

  const attachFiles = (files: FileList | File[] | null | undefined) => {
    for (const file of Array.from(files ?? [])) void session.attach(file);
  };

  const replies = quickReplies(chat);
  // Sent / Read is said under the visitor's latest message only (Sending… under each).
  const lastOwn = chat.entries.filter((e) => e.kind === "message" && e.from.role === "visitor").at(-1)?.key;
  const connectionNote = !view.started ? null : view.connection === "reconnecting" ? t.reconnecting : !view.welcomed && view.connection === "connecting" ? t.connecting : null;

  return (
    <div class={`sb-panel sb-side-${settings.position}`} role="dialog" aria-modal="true" aria-labelledby="sb-title" ref={panel} onKeyDown={onKeyDown}>
      <header class="sb-header">
        {settings.logo ? <img class="sb-logo" src={settings.logo} alt="" /> : null}
        <h1 id="sb-title">{props.title}</h1>
        <button type="button" class="sb-close" aria-label={t.closeChat} title={t.closeChat} onClick={props.onClose}>
          <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
            <path d="M6 6l12 12M18 6L6 18" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" />
          </svg>
        </button>
      </header>
      {connectionNote ? (
        <div class="sb-banner" role="status">
          {connectionNote}
        </div>
      ) : null}

      {mode === "offline" ? (
        <div class="sb-body">
          {earlier}
          <VisitorForm t={t} fields={["name", "email", "question"]} heading={t.leaveMessage} intro={props.offlineMessage} submitLabel={t.sendMessage} onSubmit={(p, m) => session.submitForm(p, m)} />
        </div>
      ) : mode === "prechat" ? (
        <div class="sb-body">
          {earlier}
          <VisitorForm t={t} fields={settings.pre_chat.fields} intro={props.greeting} submitLabel={t.startChat} onSubmit={(p, m) => session.submitForm(p, m)} />
        </div>
      ) : (
        <>
          <div class="sb-log" role="log" aria-label={t.messages} aria-live="polite" ref={log}>
            <div class="sb-greeting">{!settings.available && view.formDone ? t.offlineThanks : props.greeting}</div>
            {earlier}
            {chat.entries.map((e, i) => {
              // A run of messages from one sender is named once.
              const prev = chat.entries[i - 1];
              const named = !prev || prev.kind !== "message" || prev.from.role !== e.from.role || prev.from.id !== e.from.id;
              return <EntryView key={e.key} entry={e} read={isRead(chat, e)} t={t} tenant={settings.tenant} token={session.currentToken()} named={named} showState={e.key === lastOwn} onRetry={e.client_msg_id ? () => session.retry(e.client_msg_id!) : undefined} />;
            })}
            {chat.status === "queued" && chat.queue ? (
              <div class="sb-queue" role="status">
                {queueLine(t, chat.queue.position, chat.queue.eta_s, chat.queue.nobodyOnline)}
              </div>
            ) : null}
            {closed ? (
              <div class="sb-closed">
                {rating && rating.id === chat.conversationId ? <Rating t={t} rated={rating.rated} onRate={rate} onDismiss={() => session.dismissRating()} /> : null}
                <button type="button" class="sb-primary" onClick={() => session.newConversation()}>
                  {t.newConversation}
                </button>
              </div>
            ) : null}
          </div>
          <div class="sb-typing" role="status">
            {view.typing !== null ? format(t.typing, { name: view.typing || t.someone }) : ""}
          </div>
          {replies.length ? (
            <div class="sb-replies">
              {replies.map((r) => (
                <button key={r} type="button" class="sb-reply" onClick={() => session.send(r)}>
                  {r}
                </button>
              ))}
            </div>
          ) : null}
          {view.uploads.map((u) => (
            <div key={u.id} class="sb-upload" role="status">
              <span>{format(t.uploading, { name: u.name, p: u.percent })}</span>
              <progress max={100} value={u.percent} aria-label={u.name} />
            </div>
          ))}
          {view.problems.map(({ id, problem }) => (
            <div key={id} class="sb-problem" role="alert">
              <span>{problemText(t, problem, settings.attachments.max_bytes)}</span>
              <button type="button" class="sb-dismiss" aria-label={t.dismiss} title={t.dismiss} onClick={() => session.dismiss(id)}>
                ×
              </button>
            </div>
          ))}
          {closed || !note ? null : (
            <div id="sb-length-note" class={pasteCut > 0 || text.length >= kMaxVisitorText ? "sb-length-note sb-full" : "sb-length-note"} role={pasteCut > 0 ? "alert" : "status"}>
              {note}
            </div>
          )}
          {closed ? null : (
            <form
              class="sb-composer"
              onSubmit={(e) => {
                e.preventDefault();
                send();
              }}
            >
              {settings.attachments.enabled ? (
                <>
                  <button type="button" class="sb-attach" aria-label={t.attach} title={t.attach} onClick={() => fileInput.current?.click()}>
                    <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
                      <path d="M16.5 6.5l-7.8 7.8a2 2 0 0 0 2.8 2.8l7.8-7.8a4 4 0 0 0-5.7-5.7L5.8 11.4a6 6 0 0 0 8.5 8.5l6.4-6.4" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
                    </svg>
                  </button>
                  <input
                    ref={fileInput}
                    type="file"
                    class="sb-file-input"
                    tabIndex={-1}
                    aria-hidden="true"
                    multiple
                    onChange={(e) => {
                      const el = e.target as HTMLInputElement;
                      attachFiles(el.files);
                      el.value = "";
                    }}
                  />
                </>
              ) : null}
              <textarea
                ref={input}
                rows={1}
                aria-label={t.message}
                placeholder={t.message}
                value={text}
                maxLength={kMaxVisitorText}
                aria-describedby={note ? "sb-length-note" : undefined}
                onInput={(e) => {
                  const value = (e.target as HTMLTextAreaElement).value;
                  setText(value);
                  if (value.length < text.length) setPasteCut(0); // shortened: the notice has done its work
                  session.typing(value.trim().length > 0);
                }}
                onKeyDown={(e) => {
                  if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
                    e.preventDefault();
                    send();
                  }
                }}
                onPaste={(e) => {
                  const files = e.clipboardData?.files;
                  if (files && files.length) {
                    e.preventDefault();
                    attachFiles(files);
                    return;
                  }
                  // Left to itself the browser cuts a long paste at maxLength without a
                  // word: cut it here, and say so.
                  const el = e.currentTarget as HTMLTextAreaElement;
                  const pasted = e.clipboardData?.getData("text/plain") ?? "";
                  const r = pasteInto(el.value, el.selectionStart ?? el.value.length, el.selectionEnd ?? el.value.length, pasted);
                  if (r.cut === 0) return;
                  e.preventDefault();
                  el.value = r.value;
                  el.setSelectionRange(r.caret, r.caret);
                  setText(r.value);
                  setPasteCut(r.cut);
                  session.typing(r.value.trim().length > 0);
                }}
              />
              <button type="submit" class="sb-send">
                {t.send}
              </button>
            </form>
          )}
        </>
      )}
    </div>
  );
}
