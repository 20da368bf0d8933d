// The console's state and everything that changes it: the session, the agent
// socket (frames in, commands out), REST loads, notifications. Components read
// `state` and call the methods; the pure parts (inbox, threads, resume) live in
// model/ and are unit-tested there.
import { newClientMsgId } from "../shared/ids";
import { charactersOver } from "./model/limits";
import { ReconnectingSocket, socketUrl, type Frame, type SocketState } from "../shared/socket";
import { Api, ApiError, type AttachmentPolicy, type Session } from "./api";
import { initialLanguage, saveLanguage, translator, type Lang, type Translate } from "./i18n";
import { emptyInbox, inboxReducer, isTransfer, tabList, unreadAfter, without, type Filters, type InboxAction, type InboxState, type Tab } from "./model/inbox";
import { DraftBook, draftKey } from "./model/drafts";
import { OpenMemory, openKey } from "./model/reopen";
import { explainError } from "./model/errors";
import { statusToRestore } from "./model/presence";
import { fromCloseReason, sessionEndSentence, type SessionEnd } from "../shared/session-end";
import { signInRefusal } from "../shared/sign-in";
import { visitorName } from "../shared/visitor-name";
import { messageFrame, resendFrames, resumeHello } from "./model/resume";
import {
  addPage,
  addPending,
  applyAck,
  emptyThread,
  lastVisitorSeq,
  markFailed,
  markPending,
  mergeMessages,
  oldestSeq,
  setVisitorRead,
  type Thread,
} from "./model/thread";
import { toConv, toMessage, type AgentStatus, type Attachment, type CannedReply, type Conv, type ServerMessage } from "./model/types";
import { chime, desktopPermission, enableSound, requestDesktop, showDesktop, type DesktopPermission } from "./notify";

export type Phase = "loading" | "signed-out" | "signed-in";
export type Dialog = null | "shortcuts" | "transfer" | "close";

export interface AgentInfo {
  id: string;
  name: string;
  status: string;
  available: boolean; // online with room for one more conversation
}

export interface GroupInfo {
  id: string;
  name: string;
}

export interface Toast {
  id: number;
  text: string;
  kind: "error" | "info";
}

export interface AppState {
  phase: Phase;
  notice: string; // shown on the sign-in page (why the agent is there)
  session: Session | null;
  lang: Lang;
  connection: SocketState | "idle";
  wasOpen: boolean; // the socket was open once: a drop shows the banner
  status: AgentStatus;
  inbox: InboxState;
  threads: Record<string, Thread>;
  drafted: Record<string, true>; // the conversations with an unsent draft (the inbox marks them)
  typing: Record<string, number>; // conversation -> until (ms) the visitor types
  selected: string | null;
  tab: Tab;
  filters: Filters;
  canned: CannedReply[];
  attachments: AttachmentPolicy | null; // null: unknown, offered (the server decides)
  maxMessageBytes: number; // the largest frame the server takes (the welcome's); 0: unknown
  agents: AgentInfo[];
  groups: GroupInfo[]; // the tenant's groups, for transfers and the group filter
  earlier: Record<string, Conv[]>; // visitor id -> their conversations
  sound: boolean;
  desktop: DesktopPermission;
  toasts: Toast[];
  dialog: Dialog;
  noteMode: boolean;
  composerFocus: number; // bumped to focus the composer
}

const kTypingShownMs = 6000;
// The REST lists, asked again this often: a fallback for the queue (its changes
// come over the socket) and what keeps the Closed and All lists current.
const kListRefreshMs = 15000;
const kSessionCheckMs = 5000;
const kUnreadPage = 50; // the most unread messages counted after a reload

// The browser's localStorage (kept across tabs and reloads) or this tab's
// sessionStorage, or null where it is refused (some private modes).
function storage(kind: "localStorage" | "sessionStorage"): Storage | null {
  try {
    return window[kind];
  } catch {
    return null;
  }
}

export class Store {
  state: AppState;
  readonly api = new Api();
  private listeners = new Set<() => void>();
  private socket: ReconnectingSocket | null = null;
  private readSent: Record<string, number> = {};
  private drafts: DraftBook | null = null; // the signed-in agent's unsent composer texts
  private opened: OpenMemory | null = null; // the conversation open in this tab, for a reload
  private refreshTimer: ReturnType<typeof setInterval> | null = null;
  private sessionCheck: ReturnType<typeof setInterval> | null = null;
  private statusKnown = false; // a welcome said the status: a later welcome is a reconnect
  private toastId = 0;
  t: Translate;

  // createSocket: injected by tests (a fake WebSocket).
  constructor(private readonly createSocket?: (url: string) => WebSocket) {
    const lang = initialLanguage();
    this.t = translator(lang);
    this.state = {
      phase: "loading",
      notice: "",
      session: null,
      lang,
      connection: "idle",
      wasOpen: false,
      status: "offline",
      inbox: emptyInbox("", false),
      threads: {},
      drafted: {},
      typing: {},
      selected: null,
      tab: "mine",
      filters: { tag: "", group: "" },
      canned: [],
      attachments: null,
      maxMessageBytes: 0,
      agents: [],
      groups: [],
      earlier: {},
      sound: false,
      desktop: desktopPermission(),
      toasts: [],
      dialog: null,
      noteMode: false,
      composerFocus: 0,
    };
    this.api.onUnauthorized = (problem, message) => this.endSession({ problem, words: message });
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<AppState>): void {
    this.state = { ...this.state, ...patch };
    for (const fn of this.listeners) fn();
  }

  private inbox(action: InboxAction): void {
    this.set({ inbox: inboxReducer(this.state.inbox, action) });
  }

  private thread(id: string, change: (t: Thread) => Thread): void {
    const before = this.state.threads[id] ?? emptyThread();
    const after = change(before);
    if (after !== before || !this.state.threads[id]) this.set({ threads: { ...this.state.threads, [id]: after } });
  }

  toast(text: string, kind: Toast["kind"] = "error"): void {
    const id = ++this.toastId;
    this.set({ toasts: [...this.state.toasts, { id, text, kind }] });
    setTimeout(() => this.dismiss(id), kind === "error" ? 8000 : 4000);
  }

  dismiss(id: number): void {
    this.set({ toasts: this.state.toasts.filter((t) => t.id !== id) });
  }

  setLanguage(lang: Lang): void {
    saveLanguage(lang);
    this.t = translator(lang);
    document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
    this.set({ lang });
  }

  // ---- session ----

  async start(): Promise<void> {
    document.documentElement.lang = this.state.lang === "zh" ? "zh-CN" : "en";
    try {
      // A server that does not answer must not leave the page loading for ever.
      const timeout = new Promise<null>((_, reject) => setTimeout(() => reject(new Error("timeout")), 10000));
      const session = await Promise.race([this.api.restore(), timeout]);
      if (session) return this.begin(session);
    } catch {
      /* the server is unreachable: show the sign-in form */
    }
    this.set({ phase: "signed-out" });
  }

  async signIn(tenant: string, email: string, password: string): Promise<string | null> {
    try {
      const session = await this.api.signIn(tenant.trim(), email.trim(), password);
      this.begin(session);
      return null;
    } catch (e) {
      const failure = e instanceof ApiError ? { status: e.status, retryAfter: e.retryAfter, message: e.message } : { status: 0, message: e instanceof Error ? e.message : String(e) };
      return signInRefusal(failure, this.state.lang);
    }
  }

  async signOut(): Promise<void> {
    try {
      await this.api.signOut();
    } catch {
      /* signed out here all the same */
    }
    // Signing out on purpose leaves nothing of the visitors' conversations behind;
    // a session that ends by itself (expired, signed out elsewhere) keeps the drafts.
    this.drafts?.clear();
    this.opened?.remember(null);
    this.teardown(this.t("signedOut"));
  }

  // The server ended the session (expired, signed out elsewhere, password changed).
  endSession(end: SessionEnd): void {
    if (this.state.phase !== "signed-in") return;
    this.teardown(this.endedText(end));
  }

  // Why (the code of a 4001 close or a 401) in the agent's language; a code this
  // console does not know: the server's words.
  private endedText(end: SessionEnd): string {
    return sessionEndSentence(end, this.state.lang);
  }

  private teardown(notice: string): void {
    this.socket?.stop();
    this.socket = null;
    if (this.sessionCheck) clearInterval(this.sessionCheck);
    this.sessionCheck = null;
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    this.refreshTimer = null;
    this.api.forget();
    this.readSent = {};
    this.drafts = null;
    this.opened = null;
    this.statusKnown = false;
    window.removeEventListener("storage", this.onStorage);
    this.set({
      phase: "signed-out",
      notice,
      session: null,
      connection: "idle",
      wasOpen: false,
      status: "offline",
      inbox: emptyInbox("", false),
      threads: {},
      drafted: {},
      typing: {},
      selected: null,
      tab: "mine",
      canned: [],
      agents: [],
      groups: [],
      earlier: {},
      dialog: null,
    });
  }

  private begin(session: Session): void {
    this.drafts = new DraftBook(storage("localStorage"), draftKey(session.tenant, session.agent.id));
    this.opened = new OpenMemory(storage("sessionStorage"), openKey(session.tenant, session.agent.id));
    window.addEventListener("storage", this.onStorage);
    this.set({ phase: "signed-in", notice: "", session, inbox: emptyInbox(session.agent.id, session.agent.role === "admin") });
    this.markDrafts();
    this.connect(session);
    void this.loadCanned();
    void this.api.attachmentPolicy().then((attachments) => this.set({ attachments }));
    void this.refreshLists();
    void this.loadColleagues();
    this.refreshTimer = setInterval(() => void this.refreshLists(), kListRefreshMs);
  }

  private connect(session: Session): void {
    const socket = new ReconnectingSocket({
      url: () => socketUrl(location.origin, `/v1/ws/agent?tenant=${encodeURIComponent(session.tenant)}`),
      onOpen: () => {},
      onFrame: (frame) => this.onFrame(frame),
      onState: (s) => this.onSocketState(s),
      // 4001: the session ended (expired, signed out, password changed, agent
      // removed). 1008 with those reasons: the same from a server before sessions.
      isFinal: (code, reason) => code === 4001 || (code === 1008 && /agent|password/.test(reason)),
      onFinal: (_code, reason) => this.endSession(fromCloseReason(reason)),
      create: this.createSocket,
    });
    this.socket = socket;
    this.set({ connection: "connecting" });
    socket.start();
  }

  private onSocketState(s: SocketState): void {
    this.set({ connection: s, wasOpen: this.state.wasOpen || s === "open" });
    // A session that ended meanwhile (expired, signed out elsewhere while this tab
    // was cut off) makes every upgrade fail with 401, which a WebSocket cannot see:
    // ask the session endpoint now and every few seconds until the socket is back.
    if (this.sessionCheck) clearInterval(this.sessionCheck);
    this.sessionCheck = null;
    if (s === "reconnecting") {
      this.checkSession();
      this.sessionCheck = setInterval(() => this.checkSession(), kSessionCheckMs);
    }
  }

  private checkSession(): void {
    this.api
      .restore()
      .then((session) => {
        if (!session && this.state.phase === "signed-in") this.endSession({ problem: "", words: "" });
      })
      .catch(() => {}); // the server is away: the socket keeps trying
  }

  reconnectNow(): void {
    this.socket?.reconnectNow();
  }

  // The browser went offline: the banner says so at once, not when TCP notices.
  networkLost(): void {
    this.socket?.networkLost();
  }

  private send(frame: Frame): boolean {
    return this.socket?.send(frame) ?? false;
  }

  // ---- frames ----

  private onFrame(f: Frame): void {
    switch (f.type) {
      case "welcome":
        return this.onWelcome(f);
      case "conversation.assigned": {
        const conv = toConv(f.conversation);
        const history = Array.isArray(f.history) ? f.history.map(toMessage) : [];
        const fresh = this.state.inbox.convs[conv.id]?.assignee !== this.me() || this.state.inbox.convs[conv.id]?.status !== "assigned";
        this.thread(conv.id, (t) => ({ ...mergeMessages(t, history), hasMore: t.loaded ? t.hasMore : (history[0]?.seq ?? 1) > 1, loaded: true }));
        this.inbox({ type: "assigned", conversation: conv, lastMessage: history[history.length - 1], ...(isTransfer(f.transfer) ? { transfer: f.transfer } : {}) });
        if (fresh) {
          this.attention(this.t("notifyNewChat", { name: this.visitorName(conv) }), history[history.length - 1]?.text ?? "", conv.id);
          if (!this.state.selected) this.select(conv.id);
        }
        if (this.state.selected === conv.id && document.visibilityState === "visible") {
          this.seen(conv.id);
          this.sendRead(conv.id); // e.g. just accepted from the queue while looking at it
        }
        return;
      }
      case "conversation.offered": {
        const conv = toConv(f.conversation);
        this.inbox({ type: "offered", conversation: conv, transfer: f.transfer as never });
        this.attention(this.t("notifyNewChat", { name: this.visitorName(conv) }), "", conv.id);
        return;
      }
      case "conversation.offer_withdrawn":
        return this.inbox({ type: "offer_withdrawn", conversation_id: String(f.conversation_id) });
      case "conversation.transferred": {
        const to = String(f.to_agent);
        this.inbox({ type: "transferred", conversation_id: String(f.conversation_id), to_agent: to });
        this.toast(this.t("transferredTo", { name: this.state.agents.find((a) => a.id === to)?.name ?? to }), "info");
        return;
      }
      case "conversation.closed":
        this.drafts?.remove(String(f.conversation_id));
        this.markDrafts();
        this.inbox({ type: "closed", conversation_id: String(f.conversation_id), at: Date.now() });
        this.set({ typing: { ...this.state.typing, [String(f.conversation_id)]: 0 } });
        return;
      case "queue.joined":
        return this.inbox({ type: "queue_joined", conversation: toConv(f.conversation) });
      case "queue.left":
        return this.inbox({
          type: "queue_left",
          conversation_id: String(f.conversation_id),
          ...(typeof f.status === "string" ? { status: f.status as Conv["status"] } : {}),
          ...(typeof f.assignee === "string" ? { assignee: f.assignee } : {}),
          ...(typeof f.abandoned_at === "number" ? { abandoned_at: f.abandoned_at } : {}),
          at: Date.now(),
        });
      case "conversation.tags":
        return this.inbox({ type: "tags", conversation_id: String(f.conversation_id), tags: (f.tags as string[]) ?? [] });
      case "conversation.rated": {
        const c = this.state.inbox.convs[String(f.conversation_id)];
        if (c) this.inbox({ type: "records", conversations: [{ ...c, csat: { score: Number(f.score), comment: String(f.comment ?? ""), ts: Number(f.ts ?? 0) } }] });
        return;
      }
      case "message":
        return this.onMessage(f);
      case "ack": {
        const id = String(f.conversation_id);
        this.thread(id, (t) => applyAck(t, String(f.client_msg_id), Number(f.seq), String(f.message_id)));
        // Our own message is the conversation's latest too: the list says so at once
        // (the server sends it to the agent's other tabs, not back to this one).
        const sent = this.state.threads[id]?.messages.find((m) => m.seq === Number(f.seq));
        const c = this.state.inbox.convs[id];
        if (sent) {
          const message: ServerMessage = { message_id: String(f.message_id), seq: Number(f.seq), from: sent.from, text: sent.text, ts: sent.ts };
          if (sent.private) message.private = true;
          if (sent.attachments?.length) message.attachments = sent.attachments;
          this.inbox({ type: "message", conversation_id: id, message, seen: true });
        } else if (c && Number(f.seq) > c.last_seq) this.inbox({ type: "records", conversations: [{ ...c, last_seq: Number(f.seq) }] });
        return;
      }
      case "typing": {
        const from = f.from as { role?: string } | undefined;
        if (from?.role !== "visitor") return;
        this.set({ typing: { ...this.state.typing, [String(f.conversation_id)]: f.on ? Date.now() + kTypingShownMs : 0 } });
        return;
      }
      case "read": {
        const from = f.from as { role?: string } | undefined;
        if (from?.role === "visitor") this.thread(String(f.conversation_id), (t) => setVisitorRead(t, Number(f.seq)));
        return;
      }
      case "status":
      case "agent.status":
        return this.set({ status: f.status as AgentStatus });
      case "error":
        return this.onError(f);
    }
  }

  private onWelcome(f: Frame): void {
    const conversations = Array.isArray(f.conversations) ? f.conversations.map(toConv) : [];
    const welcomed = (f.status as AgentStatus) ?? "online";
    // Back after a drop: the status the agent had chosen, not the new connection's "online".
    const restore = this.statusKnown ? statusToRestore(this.state.status, welcomed) : null;
    this.statusKnown = true;
    this.set({ status: welcomed, maxMessageBytes: typeof f.max_message_bytes === "number" ? f.max_message_bytes : 0 });
    if (restore) this.setStatus(restore);
    this.inbox({ type: "welcome", conversations });
    // Resume: replay what we missed, send again what was not acknowledged.
    const hello = resumeHello(this.state.threads, conversations);
    if (hello) this.send(hello as unknown as Frame);
    for (const frame of resendFrames(this.state.threads)) this.send({ ...frame, ref: frame.client_msg_id } as unknown as Frame);
    // After a reload the list knows no message of them: ask for each one's newest,
    // so the list shows it rather than the visitor's page until one is opened, and
    // (from the agent's read mark, in the welcome of servers that give it) how many
    // of the visitor's are unread. A reconnect that kept the page counted them live.
    for (const c of conversations) if (!this.state.inbox.activity[c.id] && !this.state.threads[c.id]?.loaded) void this.loadPreview(c.id, c.read_seq);
    // Conversations whose messages we never loaded, or that went elsewhere meanwhile.
    void this.refreshLists();
    const selected = this.state.selected;
    if (selected && !this.state.threads[selected]?.loaded) void this.loadNewest(selected);
    // After a reload: the conversation that was open, if it is still the agent's.
    const reopen = selected ? null : this.opened?.reopen(conversations, this.me());
    if (reopen) this.select(reopen);
  }

  private onMessage(f: Frame): void {
    const id = String(f.conversation_id);
    const m = toMessage(f);
    const visible = this.state.selected === id && document.visibilityState === "visible";
    this.thread(id, (t) => mergeMessages(t, [m]));
    const isNew = (this.state.inbox.convs[id]?.last_seq ?? 0) < m.seq;
    this.inbox({ type: "message", conversation_id: id, message: m, seen: visible || !isNew });
    if (m.from.role === "visitor") {
      this.set({ typing: { ...this.state.typing, [id]: 0 } });
      if (visible) this.sendRead(id);
      else if (isNew) this.attention(this.t("notifyMessage", { name: m.from.name || this.visitorName(this.state.inbox.convs[id]), text: m.text }), "", id);
    }
  }

  private onError(f: Frame): void {
    const ref = typeof f.ref === "string" ? f.ref : "";
    // The server's words are for logs; the agent is told in their language.
    console.warn("switchboard:", f.code, f.message, ref);
    const e = explainError({ code: f.code, message: f.message, ref: f.ref });
    const text = e.key ? this.t(e.key, e.key === "errGroupBusy" ? { group: this.groupName(e.values?.group ?? "") } : e.values) : "";
    if (e.action === "message") {
      for (const [id, t] of Object.entries(this.state.threads)) {
        if (t.messages.some((m) => m.client_msg_id === ref && m.seq === null)) {
          // Too long stays too long: no Retry (a limit lowered since the welcome).
          this.thread(id, (th) => markFailed(th, ref, text, f.code === "too_large"));
          return;
        }
      }
    }
    if (e.action === "accept" && e.conversationId && e.key) this.acceptRefused(e.conversationId);
    if (text) this.toast(text);
  }

  // Accept was refused (taken by someone else first, at capacity, gone): the
  // conversation the console showed as waiting is not, and not ours. Back to the
  // queue, without it, and the lists asked again now rather than in 15 s.
  private acceptRefused(id: string): void {
    const c = this.state.inbox.convs[id];
    if (c && c.assignee === this.me() && c.status === "assigned") return; // ours after all
    const queue = this.state.inbox.lists.queue.filter((x) => x !== id);
    this.set({ inbox: { ...this.state.inbox, lists: { ...this.state.inbox.lists, queue }, offers: without(this.state.inbox.offers, id) } });
    if (this.state.selected === id) this.set({ selected: null, tab: "queue" });
    void this.refreshLists();
  }

  // A group's name as the tenant gave it; its id while the names are not known.
  groupName(id: string): string {
    return this.state.groups.find((g) => g.id === id)?.name ?? id;
  }

  private me(): string {
    return this.state.session?.agent.id ?? "";
  }

  visitorName(c: Conv | undefined): string {
    if (!c) return this.t("visitor");
    return visitorName(c.visitor.name, c.visitor.id, this.state.lang);
  }

  // A new assignment or message while the tab is hidden: sound and desktop notice.
  private attention(title: string, body: string, conversationId: string): void {
    if (document.visibilityState === "visible" && document.hasFocus()) return;
    if (this.state.sound) chime();
    showDesktop(title, body, conversationId, () => this.select(conversationId));
  }

  // ---- REST loads ----

  async refreshLists(): Promise<void> {
    const session = this.state.session;
    if (!session) return;
    const admin = session.agent.role === "admin";
    try {
      const [queue, closed, mine, all] = await Promise.all([
        this.api.conversations({ status: "queued", limit: 200 }),
        this.api.conversations({ status: "closed", limit: 100 }),
        this.api.conversations({ status: "assigned", assignee: session.agent.id, limit: 200 }),
        admin ? this.api.conversations({ limit: 500 }) : Promise.resolve([] as Conv[]),
      ]);
      if (this.state.session !== session) return;
      // Records of conversations that are live here keep the live status (a frame
      // may be newer than the list).
      const live = (list: Conv[]) => list.filter((c) => !this.isLiveNewer(c));
      this.inbox({ type: "records", conversations: live(mine) });
      this.inbox({ type: "list", list: "queue", conversations: live(queue) });
      this.inbox({ type: "list", list: "closed", conversations: live(closed) });
      this.drafts?.remove(...closed.map((c) => c.id)); // closed while this page was away
      this.markDrafts();
      if (admin) this.inbox({ type: "list", list: "all", conversations: live(all).filter((c) => c.status !== "closed") });
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) console.warn("refreshing the lists failed", e);
    }
  }

  // A record older than what frames told us (e.g. listed as queued, but we were
  // just assigned it).
  private isLiveNewer(record: Conv): boolean {
    const live = this.state.inbox.convs[record.id];
    if (!live) return false;
    if (live.status === "closed" && record.status !== "closed") return true;
    return live.status === "assigned" && live.assignee === this.me() && record.status === "queued";
  }

  private async loadCanned(): Promise<void> {
    try {
      this.set({ canned: await this.api.cannedReplies() });
    } catch {
      /* none */
    }
  }

  private async loadColleagues(): Promise<void> {
    try {
      const { agents, groups } = await this.api.colleagues();
      this.set({ agents, groups });
    } catch {
      /* an older server: the transfer dialog asks for an id */
    }
  }

  openTransfer(): void {
    void this.loadColleagues(); // who is online now
    this.set({ dialog: "transfer" });
  }

  async loadNewest(id: string): Promise<void> {
    try {
      const page = await this.api.history(id);
      this.thread(id, (t) => addPage(t, page.messages, page.has_more, false));
      // The list shows the newest message of a conversation opened after a reload.
      const newest = page.messages[page.messages.length - 1];
      if (newest && !this.state.inbox.activity[id]) this.inbox({ type: "message", conversation_id: id, message: newest, seen: true });
      if (this.state.selected === id) this.sendRead(id);
    } catch (e) {
      this.toast(e instanceof Error ? e.message : String(e));
    }
  }

  // The newest message of a conversation, for its line in the list, and with the
  // agent's read mark the count of the visitor's messages after it (at most a page).
  private async loadPreview(id: string, readMark?: number): Promise<void> {
    const behind = readMark !== undefined && readMark < (this.state.inbox.convs[id]?.last_seq ?? 0);
    try {
      const page = await this.api.history(id, undefined, behind ? kUnreadPage : 1);
      const newest = page.messages[page.messages.length - 1];
      if (newest && !this.state.inbox.activity[id]) this.inbox({ type: "message", conversation_id: id, message: newest, seen: true });
      const count = behind ? unreadAfter(page.messages, Math.max(readMark!, this.readSent[id] ?? 0)) : 0;
      if (count > 0 && this.state.selected !== id) this.inbox({ type: "unread", conversation_id: id, count });
    } catch (e) {
      // The line keeps what it shows; opening the conversation loads its messages.
      if (!(e instanceof ApiError) || e.status !== 401) console.warn("the newest message of", id, e);
    }
  }

  async loadOlder(id: string): Promise<void> {
    const t = this.state.threads[id];
    if (!t || t.loadingOlder || !t.hasMore) return;
    const before = oldestSeq(t);
    if (before === null || before <= 1) return;
    this.thread(id, (th) => ({ ...th, loadingOlder: true }));
    try {
      const page = await this.api.history(id, before);
      this.thread(id, (th) => addPage(th, page.messages, page.has_more, true));
    } catch (e) {
      this.thread(id, (th) => ({ ...th, loadingOlder: false }));
      this.toast(e instanceof Error ? e.message : String(e));
    }
  }

  async loadEarlier(visitorId: string): Promise<void> {
    if (!visitorId) return;
    try {
      const list = await this.api.conversations({ visitor_id: visitorId, limit: 20 });
      this.set({ earlier: { ...this.state.earlier, [visitorId]: list } });
    } catch {
      /* not shown */
    }
  }

  // ---- UI actions ----

  // The composer's unsent text of a conversation, kept across reloads.
  draft(id: string): string {
    return this.drafts?.get(id) ?? "";
  }

  saveDraft(id: string, text: string): void {
    this.drafts?.set(id, text);
    this.markDrafts();
  }

  // The inbox's marks follow the drafts: changed only when which conversations have
  // one changes (not at every key typed).
  private markDrafts(): void {
    const ids = this.drafts?.ids() ?? [];
    const now = Object.keys(this.state.drafted).sort();
    if (ids.length === now.length && ids.every((id, i) => id === now[i])) return;
    this.set({ drafted: Object.fromEntries(ids.map((id) => [id, true as const])) });
  }

  // The agent's other tab wrote or sent a draft: this one's marks follow.
  private onStorage = (e: StorageEvent): void => {
    if (!this.drafts || (e.key !== null && e.key !== this.drafts.storageKey)) return;
    this.drafts.reload();
    this.markDrafts();
  };

  select(id: string | null): void {
    this.set({ selected: id });
    this.opened?.remember(id);
    if (!id) return;
    this.seen(id);
    const t = this.state.threads[id];
    if (!t?.loaded) void this.loadNewest(id);
    else this.sendRead(id);
    const c = this.state.inbox.convs[id];
    if (c && !this.state.earlier[c.visitor.id]) void this.loadEarlier(c.visitor.id);
  }

  // A conversation from a list the inbox does not hold (the visitor's earlier ones).
  openRecord(c: Conv): void {
    if (!this.state.inbox.convs[c.id]) this.inbox({ type: "records", conversations: [c] });
    this.select(c.id);
  }

  // Re-renders (typing indicators expire with time).
  tick(): void {
    this.set({});
  }

  seen(id: string): void {
    if (this.state.inbox.unread[id]) this.inbox({ type: "seen", conversation_id: id });
  }

  // The tab came back into view: what is on screen is read now.
  visible(): void {
    const id = this.state.selected;
    if (id && document.visibilityState === "visible") {
      this.seen(id);
      this.sendRead(id);
    }
  }

  private sendRead(id: string): void {
    const t = this.state.threads[id];
    const c = this.state.inbox.convs[id];
    if (!t || !c || c.status !== "assigned" || c.assignee !== this.me()) return;
    const seq = lastVisitorSeq(t);
    if (seq > (this.readSent[id] ?? 0) && this.send({ type: "read", conversation_id: id, seq })) this.readSent[id] = seq;
  }

  setTab(tab: Tab): void {
    this.set({ tab });
    // The queue is announced over the socket (queue.joined, queue.left), the other
    // lists are not: look now rather than in 15 s.
    if (tab !== "mine") void this.refreshLists();
  }

  setFilters(filters: Partial<Filters>): void {
    this.set({ filters: { ...this.state.filters, ...filters } });
  }

  // Alt+↓ / Alt+↑ through the current tab's list.
  step(delta: number): void {
    const list = tabList(this.state.inbox, this.state.tab, this.state.filters);
    if (list.length === 0) return;
    const at = list.findIndex((c) => c.id === this.state.selected);
    const next = at < 0 ? 0 : Math.min(list.length - 1, Math.max(0, at + delta));
    this.select(list[next].id);
  }

  setStatus(status: AgentStatus): void {
    if (this.send({ type: "status", status })) this.set({ status });
  }

  // How many characters must go before text fits in one frame (0: it fits).
  charactersOver(id: string, text: string, isPrivate: boolean, attachments: Attachment[]): number {
    const ids = attachments.map((a) => a.id);
    const client_msg_id = newClientMsgId("a");
    return charactersOver(text.trim(), (x) => ({ ...messageFrame(id, client_msg_id, x, isPrivate, ids), ref: client_msg_id }), this.state.maxMessageBytes);
  }

  // Sends a message; answers how many characters are too many when the server would
  // refuse it as too long, and then sends nothing (the composer keeps the text).
  sendMessage(id: string, text: string, isPrivate: boolean, attachments: Attachment[]): number {
    const trimmed = text.trim();
    if (!trimmed && attachments.length === 0) return 0;
    const over = this.charactersOver(id, trimmed, isPrivate, attachments);
    if (over > 0) return over;
    const client_msg_id = newClientMsgId("a");
    const session = this.state.session!;
    this.thread(id, (t) =>
      addPending(t, {
        client_msg_id,
        from: { role: "agent", id: session.agent.id, name: session.agent.name },
        text: trimmed,
        ts: Date.now(),
        private: isPrivate || undefined,
        attachments: attachments.length ? attachments : undefined,
      }),
    );
    const frame = messageFrame(id, client_msg_id, trimmed, isPrivate, attachments.map((a) => a.id));
    this.send({ ...frame, ref: client_msg_id } as unknown as Frame);
    this.drafts?.remove(id); // now a pending message: it is resent from the thread
    this.markDrafts();
    // As in the widget: retries back off up to 15 s, an agent who sends is waiting now.
    if (this.state.connection === "reconnecting") this.reconnectNow();
    return 0;
  }

  retry(id: string, clientMsgId: string): void {
    const m = this.state.threads[id]?.messages.find((x) => x.client_msg_id === clientMsgId && x.seq === null);
    if (!m) return;
    this.thread(id, (t) => markPending(t, clientMsgId));
    const frame = messageFrame(id, clientMsgId, m.text, !!m.private, (m.attachments ?? []).map((a) => a.id));
    this.send({ ...frame, ref: clientMsgId } as unknown as Frame);
  }

  typing(id: string, on: boolean): void {
    this.send({ type: "typing", conversation_id: id, on });
  }

  accept(id: string): void {
    this.send({ type: "accept", conversation_id: id, ref: "accept:" + id });
    this.set({ tab: "mine" });
    this.select(id);
  }

  // note: for the colleague who takes it (plain text; the dialog keeps it within
  // the server's kMaxTransferNoteBytes).
  transfer(id: string, target: { agent?: string; group?: string; note?: string }): void {
    const frame: Frame = { type: "transfer", conversation_id: id, ref: "transfer:" + id };
    if (target.agent) frame.to_agent = target.agent;
    else frame.to_group = target.group;
    if (target.note) frame.note = target.note;
    // A group may offer it to its agents first: say it is on its way.
    if (this.send(frame) && target.group) this.toast(this.t("transferDone", { group: this.groupName(target.group!) }), "info");
    this.set({ dialog: null });
  }

  close(id: string): void {
    this.send({ type: "close", conversation_id: id, ref: "close:" + id });
    this.set({ dialog: null });
  }

  tag(id: string, change: { add?: string[]; remove?: string[] }): void {
    this.send({ type: "tag", conversation_id: id, ...change });
  }

  setDialog(dialog: Dialog): void {
    this.set({ dialog });
  }

  setNoteMode(noteMode: boolean): void {
    this.set({ noteMode });
  }

  focusComposer(): void {
    this.set({ composerFocus: this.state.composerFocus + 1 });
  }

  toggleSound(): void {
    this.set({ sound: this.state.sound ? false : enableSound() });
  }

  async turnOnDesktop(): Promise<void> {
    this.set({ desktop: await requestDesktop() });
  }
}
