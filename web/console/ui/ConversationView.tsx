import { useState } from "preact/hooks";
import { transferText } from "../model/inbox";
import { emptyThread } from "../model/thread";
import type { Conv, Transfer } from "../model/types";
import { Composer } from "./Composer";
import { useApp } from "./context";
import { MessageList } from "./MessageList";
import { ChatIcon } from "./Icons";
import { formatTime, initials } from "./RichText";
import { VisitorPanel } from "./VisitorPanel";

export function ConversationView() {
  const [state, store] = useApp();
  const t = store.t;
  const conv = state.selected ? state.inbox.convs[state.selected] : undefined;
  if (!conv) {
    return (
      <section class="conversation empty-state" aria-label={t("noConversation")}>
        <div class="empty-art" aria-hidden="true">
          <ChatIcon />
        </div>
        <h2>{t("noConversation")}</h2>
        <p class="muted">{t("noConversationHint")}</p>
      </section>
    );
  }
  const thread = state.threads[conv.id] ?? emptyThread();
  const me = state.session!.agent.id;
  const mine = conv.status === "assigned" && conv.assignee === me;
  const name = store.visitorName(conv);
  const [details, setDetails] = useState(false);
  return (
    <>
      <section class="conversation" aria-label={name}>
        <ConversationHeader conv={conv} mine={mine} name={name} details={details} onDetails={() => setDetails(!details)} />
        {mine && state.inbox.transfers[conv.id] && <TransferNote transfer={state.inbox.transfers[conv.id]} />}
        <MessageList conv={conv} thread={thread} />
        {mine ? <Composer conv={conv} /> : <StateBanner conv={conv} />}
      </section>
      <VisitorPanel conv={conv} open={details} />
    </>
  );
}

// Above a conversation a colleague passed on to me: who, when, and their note
// (plain text: a text node, line breaks kept by CSS, never HTML).
function TransferNote({ transfer }: { transfer: Transfer }) {
  const [state, store] = useApp();
  const t = store.t;
  return (
    <div class="transfer-note" role="note">
      <p>
        {transferText(transfer, t)}
        {transfer.at ? (
          <>
            {" "}
            <time dateTime={new Date(transfer.at).toISOString()}>{t("transferredAt", { time: formatTime(transfer.at, state.lang) })}</time>
          </>
        ) : null}
      </p>
      {transfer.note && (
        <p class="transfer-note-text">
          <strong>{t("transferNoteShown")}</strong>
          {transfer.note}
        </p>
      )}
    </div>
  );
}

function ConversationHeader({ conv, mine, name, details, onDetails }: { conv: Conv; mine: boolean; name: string; details: boolean; onDetails: () => void }) {
  const [state, store] = useApp();
  const t = store.t;
  const admin = state.session!.agent.role === "admin";
  const canAccept = conv.status === "queued" || !!state.inbox.offers[conv.id];
  const statusText = conv.status === "closed" ? t("tabClosed") : conv.status === "queued" ? t("waiting") : conv.status === "assigned" ? (mine ? t("active") : t("withAgent", { name: agentName(state.agents, conv.assignee) })) : t("bot");
  return (
    <header class="conv-header">
      {/* On a narrow screen the conversation takes the whole width: the way back to the list. */}
      <button class="back-to-inbox icon-button" aria-label={t("backToInbox")} title={t("backToInbox")} onClick={() => store.select(null)}>
        <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
          <path d="M15 5l-7 7 7 7" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
      </button>
      <span class="avatar" aria-hidden="true">
        {initials(name)}
      </span>
      <div class="conv-title">
        <h2>{name}</h2>
        <span class={`status-pill status-${conv.status}`}>{statusText}</span>
        {conv.group && (
          <span class="group-pill" title={t("groupOf", { group: store.groupName(conv.group) })}>
            {store.groupName(conv.group)}
          </span>
        )}
      </div>
      <div class="conv-actions" role="toolbar" aria-label={t("actions")}>
        {canAccept && (
          <button class="primary" onClick={() => store.accept(conv.id)} title="Alt+A">
            {t("accept")}
          </button>
        )}
        {conv.status !== "closed" && (mine || (admin && conv.status === "assigned")) && (
          <button onClick={() => store.openTransfer()} title="Alt+T">
            {t("transfer")}
          </button>
        )}
        {conv.status !== "closed" && mine && (
          <button class="danger" onClick={() => store.setDialog("close")} title="Alt+W">
            {t("close")}
          </button>
        )}
        <button class="details-toggle" aria-pressed={details} onClick={onDetails}>
          {t("visitorDetails")}
        </button>
      </div>
    </header>
  );
}

export function agentName(agents: { id: string; name: string }[], id: string | null): string {
  if (!id) return "";
  return agents.find((a) => a.id === id)?.name ?? id;
}

function StateBanner({ conv }: { conv: Conv }) {
  const [state, store] = useApp();
  const t = store.t;
  const text =
    conv.status === "closed" ? t(conv.abandoned_at ? "abandonedBanner" : "closedBanner") : conv.status === "queued" ? t("queuedBanner") : t("notMine", { name: agentName(state.agents, conv.assignee) || "—" });
  return <div class="state-banner">{text}</div>;
}
