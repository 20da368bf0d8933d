import { kTabs, knownGroups, knownTags, tabCounts, tabList, type Tab } from "../model/inbox";
import type { Conv } from "../model/types";
import type { Texts } from "../i18n";
import { useApp } from "./context";
import { LockIcon, PencilIcon } from "./Icons";
import { formatTime, formatWait, initials } from "./RichText";

const kTabText: Record<Tab, keyof Texts> = { mine: "tabMine", queue: "tabQueue", all: "tabAll", closed: "tabClosed" };
const kEmptyText: Record<Tab, keyof Texts> = { mine: "emptyMine", queue: "emptyQueue", all: "emptyAll", closed: "emptyClosed" };

export function Inbox() {
  const [state, store] = useApp();
  const t = store.t;
  const inbox = state.inbox;
  const tabs = kTabs.filter((tab) => tab !== "all" || inbox.admin);
  const counts = tabCounts(inbox);
  const list = tabList(inbox, state.tab, state.filters);
  const tags = knownTags(inbox);
  const groups = knownGroups(inbox, state.groups.map((g) => g.id));
  const mineUnread = tabList(inbox, "mine").filter((c) => inbox.unread[c.id]).length;
  // Tabs as a screen reader announces them: one Tab stop (the chosen tab), the arrow
  // keys and Home/End choose another and take the focus there.
  const onTabKey = (e: KeyboardEvent) => {
    const at = tabs.indexOf(state.tab);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const next = tabs[(to + tabs.length) % tabs.length];
    store.setTab(next);
    document.getElementById(`tab-${next}`)?.focus();
  };

  return (
    <nav class="inbox" aria-label={t("inbox")}>
      <div class="tabs" role="tablist" aria-label={t("inbox")} onKeyDown={onTabKey}>
        {tabs.map((tab) => {
          const badge = tab === "mine" ? mineUnread : tab === "queue" ? counts.queue : 0;
          return (
            <button
              key={tab}
              role="tab"
              id={`tab-${tab}`}
              aria-selected={state.tab === tab}
              aria-controls="inbox-list"
              tabIndex={state.tab === tab ? 0 : -1}
              class={state.tab === tab ? "tab active" : "tab"}
              onClick={() => store.setTab(tab)}
            >
              {t(kTabText[tab])}
              {tab !== "closed" && <span class="tab-count">{counts[tab]}</span>}
              {badge > 0 && tab === "mine" && (
                <span class="badge" aria-label={t("unreadCount", { n: badge })}>
                  {badge}
                </span>
              )}
            </button>
          );
        })}
      </div>
      <div class="filters">
        <select aria-label={t("filterTag")} value={state.filters.tag} onChange={(e) => store.setFilters({ tag: e.currentTarget.value })}>
          <option value="">{t("anyTag")}</option>
          {tags.map((tag) => (
            <option key={tag} value={tag}>
              # {tag}
            </option>
          ))}
        </select>
        <select aria-label={t("filterGroup")} value={state.filters.group} onChange={(e) => store.setFilters({ group: e.currentTarget.value })}>
          <option value="">{t("anyGroup")}</option>
          {groups.map((g) => (
            <option key={g} value={g}>
              {state.groups.find((x) => x.id === g)?.name ?? g}
            </option>
          ))}
        </select>
      </div>
      <ul class="conv-list" id="inbox-list" role="tabpanel" aria-labelledby={`tab-${state.tab}`}>
        {list.length === 0 && <li class="empty">{t(kEmptyText[state.tab])}</li>}
        {list.map((c) => (
          <ConvItem key={c.id} conv={c} />
        ))}
      </ul>
    </nav>
  );
}

function ConvItem({ conv }: { conv: Conv }) {
  const [state, store] = useApp();
  const t = store.t;
  const inbox = state.inbox;
  const name = store.visitorName(conv);
  const unread = inbox.unread[conv.id] ?? 0;
  const offer = inbox.offers[conv.id];
  const activity = inbox.activity[conv.id];
  const typing = (state.typing[conv.id] ?? 0) > Date.now();
  const selected = state.selected === conv.id;
  const assigneeName = conv.assignee ? (state.agents.find((a) => a.id === conv.assignee)?.name ?? conv.assignee) : "";
  // A waiting visitor's question, to decide whom to accept first.
  const asked = conv.first_message ? " · " + conv.first_message : "";
  const sub = typing
    ? t("typing", { name })
    : activity?.preview || (offer?.transfer ? t("transferOffer", { name: offer.transfer.from.name ?? offer.transfer.from.id, group: store.groupName(offer.transfer.group) }) : offer ? t("offer") + asked : conv.status === "queued" ? t("waitingFor", { time: formatWait(Date.now() - conv.created_at, state.lang) }) + asked : conv.assignee && conv.assignee !== inbox.me ? t("withAgent", { name: assigneeName }) : (conv.visitor.meta.page as string) ?? "");
  // A draft shows as its text, where the last message would be, in the conversations
  // the agent is not in (the open one has it in the composer).
  const drafted = !!state.drafted[conv.id] && !selected;
  const draftText = drafted && !typing ? store.draft(conv.id).replace(/\s+/g, " ").trim() : "";
  const label = name + (unread ? ", " + t("unreadCount", { n: unread }) : "") + (offer ? ", " + t("offer") : "") + (drafted ? ", " + t("draftUnsent") : "");
  return (
    <li class={`conv-item ${selected ? "selected" : ""} ${unread ? "unread" : ""}`}>
      <button class="conv-open" aria-label={label} aria-current={selected ? "true" : undefined} onClick={() => store.select(conv.id)}>
        <span class="avatar" aria-hidden="true">
          {initials(name)}
        </span>
        <span class="conv-main">
          <span class="conv-top">
            <span class="conv-name">{name}</span>
            <span class="conv-time">{formatTime(activity?.ts ?? conv.updated_at ?? conv.created_at, state.lang)}</span>
          </span>
          <span class={`conv-sub ${typing ? "typing-text" : ""}`}>
            {draftText ? (
              <>
                <span class="draft-mark">
                  <PencilIcon size={11} /> {t("draft")}
                </span>{" "}
                {draftText}
              </>
            ) : (
              <>
                {!typing && activity?.note && <LockIcon size={11} />} {!typing && activity?.agent && !activity.note ? t("youPrefix") : ""}
                {sub}
              </>
            )}
          </span>
          {conv.status === "closed" && conv.abandoned_at ? <span class="tag-chip small missed">{t("abandoned")}</span> : null}
          {conv.tags.length > 0 && (
            <span class="conv-tags">
              {conv.tags.slice(0, 3).map((tag) => (
                <span key={tag} class="tag-chip small">
                  {tag}
                </span>
              ))}
            </span>
          )}
        </span>
        {unread > 0 && (
          <span class="badge" aria-hidden="true">
            {unread}
          </span>
        )}
      </button>
      {(offer || (state.tab === "queue" && conv.status === "queued")) && (
        <button class="primary small accept" aria-label={`${t("accept")} ${name}`} onClick={() => store.accept(conv.id)}>
          {t("accept")}
        </button>
      )}
    </li>
  );
}
