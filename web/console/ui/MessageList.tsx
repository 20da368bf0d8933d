import { useLayoutEffect, useRef } from "preact/hooks";
import type { ChatMessage, Thread } from "../model/thread";
import type { Attachment, Conv } from "../model/types";
import { useApp } from "./context";
import { FileIcon, LockIcon } from "./Icons";
import { formatBytes, formatTime, RichText } from "./RichText";

// The conversation's messages; scrolling to the top loads earlier ones (the view
// stays where it was), a new message scrolls down when the agent was at the bottom.
export function MessageList({ conv, thread }: { conv: Conv; thread: Thread }) {
  const [state, store] = useApp();
  const t = store.t;
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const anchor = useRef<{ first: string; height: number } | null>(null);
  const first = thread.messages[0]?.key ?? "";
  const last = thread.messages[thread.messages.length - 1]?.key ?? "";

  const typing = (state.typing[conv.id] ?? 0) > Date.now();
  const shownConv = useRef("");

  // Another conversation: start at the bottom. Earlier messages put on top: keep the
  // same message in view. Anything new at the bottom: follow it if the agent was there.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (shownConv.current !== conv.id) {
      shownConv.current = conv.id;
      atBottom.current = true;
      el.scrollTop = el.scrollHeight;
    } else if (anchor.current && anchor.current.first !== first) {
      el.scrollTop += el.scrollHeight - anchor.current.height;
    } else if (atBottom.current) {
      el.scrollTop = el.scrollHeight;
    }
    anchor.current = { first, height: el.scrollHeight };
  }, [conv.id, first, last, thread.loaded, thread.messages.length, typing]);

  function onScroll() {
    const el = box.current!;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
    if (el.scrollTop < 120 && thread.hasMore && !thread.loadingOlder) {
      anchor.current = { first, height: el.scrollHeight };
      void store.loadOlder(conv.id);
    }
  }

  const me = state.session!.agent.id;
  const lastMine = [...thread.messages].reverse().find((m) => m.from.role === "agent" && m.seq !== null && !m.private);
  return (
    <div
      class="messages"
      ref={box}
      onScroll={onScroll}
      // An image that finished loading grew the list: stay at the bottom if there.
      onLoadCapture={() => {
        const el = box.current;
        if (el && atBottom.current) el.scrollTop = el.scrollHeight;
      }}
    >
      <div class="history-edge">
        {thread.loadingOlder ? (
          <span class="muted">{t("loadingOlder")}</span>
        ) : thread.hasMore ? (
          <button class="link-button" onClick={() => void store.loadOlder(conv.id)}>
            {t("loadOlder")}
          </button>
        ) : thread.loaded ? (
          <span class="muted">{t("beginning")}</span>
        ) : (
          <span class="muted">{t("loading")}</span>
        )}
      </div>
      <div role="log" aria-label={t("messages")} aria-live="polite" class="log">
        {thread.messages.map((m) => (
          <MessageItem key={m.key} m={m} conv={conv} mine={m.from.role === "agent" && m.from.id === me} last={m === lastMine} seen={m === lastMine && thread.visitorRead >= (m.seq ?? Infinity)} />
        ))}
      </div>
      {typing && (
        <div class="typing-line" role="status">
          <span class="typing-dots" aria-hidden="true">
            <i />
            <i />
            <i />
          </span>
          {t("typing", { name: store.visitorName(conv) })}
        </div>
      )}
    </div>
  );
}

// Sent and Seen show under the newest answer only; pending and failed under each.
function MessageItem({ m, conv, mine, last, seen }: { m: ChatMessage; conv: Conv; mine: boolean; last: boolean; seen: boolean }) {
  const [state, store] = useApp();
  const t = store.t;
  const side = m.from.role === "visitor" ? "theirs" : "ours";
  const who =
    m.from.role === "visitor"
      ? m.from.name || store.visitorName(conv)
      : m.from.role === "bot"
        ? m.from.name || t("bot")
        : m.from.role === "agent"
          ? mine
            ? t("you")
            : m.from.name || m.from.id
          : t("system");
  const classes = ["msg", side, m.from.role, m.private ? "note" : "", m.state].filter(Boolean).join(" ");
  return (
    <div class={classes} data-seq={m.seq ?? undefined}>
      <div class="msg-meta">
        <span class="msg-who">{who}</span>
        {m.private && (
          <span class="note-label" title={t("privateNoteHint")}>
            <LockIcon size={11} /> {t("privateNote")}
          </span>
        )}
        <span class="msg-time">{formatTime(m.ts, state.lang)}</span>
      </div>
      <div class="bubble">
        {m.text && (
          <p class="msg-text">
            <RichText text={m.text} />
          </p>
        )}
        {m.attachments?.map((a) => <AttachmentView key={a.id} a={a} />)}
      </div>
      {mine && (m.state !== "sent" || last) && (
        <div class="msg-state">
          {m.state === "pending" && t("sending")}
          {m.state === "failed" && (
            <span class="failed-text" role="alert">
              {t("failed")}
              {m.error ? `: ${m.error}` : ""}{" "}
              {!m.final && (
                <button class="link-button" onClick={() => store.retry(conv.id, m.client_msg_id!)}>
                  {t("retry")}
                </button>
              )}
            </span>
          )}
          {m.state === "sent" && seen && <span class="seen">✓✓ {t("seen")}</span>}
          {m.state === "sent" && !seen && !m.private && <span>✓ {t("sent")}</span>}
        </div>
      )}
    </div>
  );
}

function AttachmentView({ a }: { a: Attachment }) {
  const [, store] = useApp();
  const url = store.api.attachmentUrl(a.id);
  if (a.thumbnail && a.content_type.startsWith("image/")) {
    return (
      <a class="attachment image" href={url} target="_blank" rel="noopener">
        <img src={store.api.attachmentUrl(a.id, true)} alt={a.name} loading="lazy" />
      </a>
    );
  }
  return (
    <a class="attachment file" href={url} download={a.name} rel="noopener">
      <span class="file-icon" aria-hidden="true">
        {a.content_type === "application/pdf" ? "PDF" : <FileIcon />}
      </span>
      <span class="file-name">{a.name}</span>
      <span class="file-size">{formatBytes(a.size)}</span>
    </a>
  );
}
