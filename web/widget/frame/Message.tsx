// One entry of the conversation: text (never HTML: text nodes and safe links),
// attachments, the state of own messages, and notices ("Dana joined").
import { useEffect, useState } from "preact/hooks";
import { LinkedText } from "../../shared/LinkedText";
import { format } from "../../shared/i18n";
import type { Texts } from "../texts";
import type { Attachment, Entry } from "./state";
import { fetchBlobUrl, formatBytes } from "./files";

function useBlobUrl(tenant: string, token: string | null, attachment: Attachment, thumbnail: boolean): string | null | "error" {
  const [url, setUrl] = useState<string | null | "error">(null);
  useEffect(() => {
    if (!token) return;
    let revoked = false;
    let made: string | null = null;
    fetchBlobUrl(tenant, token, attachment, thumbnail)
      .then((u) => {
        made = u;
        if (revoked) URL.revokeObjectURL(u);
        else setUrl(u);
      })
      .catch(() => !revoked && setUrl("error"));
    return () => {
      revoked = true;
      if (made) URL.revokeObjectURL(made);
    };
  }, [tenant, attachment.id, thumbnail, token === null]);
  return url;
}

// An image that arrives late makes the log taller: the newest message stays in view.
function keepAtEnd(e: Event) {
  const log = (e.currentTarget as HTMLElement).closest(".sb-log");
  if (log) log.scrollTop = log.scrollHeight;
}

function AttachmentView({ a, tenant, token, t }: { a: Attachment; tenant: string; token: string | null; t: Texts }) {
  const image = a.thumbnail && a.content_type.startsWith("image/");
  const url = useBlobUrl(tenant, token, a, image);
  if (image) {
    return (
      <figure class="sb-image">
        {url && url !== "error" ? <img src={url} alt={format(t.image, { name: a.name })} onLoad={keepAtEnd} /> : <span class="sb-image-wait">{a.name}</span>}
      </figure>
    );
  }
  return (
    <a class="sb-file" href={url && url !== "error" ? url : undefined} download={a.name} aria-label={format(t.download, { name: a.name })}>
      <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
        <path d="M6 2h8l5 5v15H6z M14 2v5h5" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linejoin="round" />
      </svg>
      <span class="sb-file-name">{a.name}</span>
      <span class="sb-file-size">{formatBytes(a.size)}</span>
    </a>
  );
}

export function EntryView({ entry, read, t, tenant, token, named = true, showState = true, onRetry }: { entry: Entry; read: boolean; t: Texts; tenant: string; token: string | null; named?: boolean; showState?: boolean; onRetry?: () => void }) {
  if (entry.kind === "notice") {
    const text = entry.notice?.id === "joined" ? format(t.agentJoined, { name: entry.notice.name ?? t.someone }) : t.closedByAgent;
    return <div class="sb-notice">{text}</div>;
  }
  const mine = entry.from.role === "visitor";
  const who = !named ? "" : mine ? t.you : entry.from.name || (entry.from.role === "system" ? "" : t.someone);
  const time = new Date(entry.ts).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  const state = !mine || (!showState && entry.state !== "pending" && entry.state !== "failed") ? null : entry.state === "pending" ? t.pending : entry.state === "failed" ? t.failed : read ? t.read : t.sent;
  return (
    <div class={`sb-msg ${mine ? "sb-mine" : "sb-theirs"} sb-role-${entry.from.role}`} data-state={mine ? (entry.state === "pending" || entry.state === "failed" ? entry.state : read ? "read" : "sent") : undefined}>
      {!mine && who ? <div class="sb-who">{who}</div> : null}
      {entry.text ? (
        <div class="sb-bubble" title={time}>
          <LinkedText text={entry.text} />
        </div>
      ) : null}
      {entry.attachments?.map((a) => <AttachmentView key={a.id} a={a} tenant={tenant} token={token} t={t} />)}
      {state ? (
        <div class="sb-state">
          {state}
          {entry.state === "failed" && onRetry ? (
            <>
              {" "}
              <button type="button" class="sb-retry" onClick={onRetry}>
                {t.retry}
              </button>
            </>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
