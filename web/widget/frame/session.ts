// One visitor's chat: the socket to /v1/ws/visitor, the conversation state, the
// visitor's token (kept by the loader in the website's localStorage), uploads and
// read receipts. The UI only reads `view` and calls the methods.
import { ReconnectingSocket, socketUrl, type Frame, type SocketState } from "../../shared/socket";
import { newClientMsgId } from "../../shared/ids";
import * as S from "./state";
import { Store } from "./store";
import { checkFile, upload, type Refusal, type UploadError } from "./files";
import type { WidgetSettings } from "./settings";

export interface Profile {
  name?: string;
  email?: string;
  attributes?: Record<string, string | number | boolean>;
}

export interface Upload {
  id: string;
  name: string;
  percent: number;
}

export type Problem =
  | { kind: "refused"; name: string; refusal: Refusal }
  | { kind: "upload"; name: string; code: string } // the server's error code, "network" or "offline"
  | { kind: "server"; code: string };

export interface View {
  chat: S.ChatState;
  connection: SocketState;
  welcomed: boolean;
  typing: string | null; // who is typing on the other side ("" when unnamed)
  uploads: Upload[];
  problems: { id: number; problem: Problem }[];
  formDone: boolean; // the pre-chat or offline form was sent
  started: boolean; // the socket is in use (not before the chat or a form needs it)
  // The closed conversation the visitor is asked to rate (kept across reloads until
  // they rate it, dismiss the question or start another conversation), and their
  // score once the server has stored it.
  rating: { id: string; rated: number | null } | null;
}

export interface Persisted {
  t?: string; // visitor token
  v?: string; // the visitor id the token is of (tabs compare these: each welcome's token is a fresh one)
  c?: string; // conversation id
  s?: number; // seen up to
  r?: string; // a closed conversation not rated yet: the rating is offered again
  rc?: number; // when it closed (ms): the server takes ratings for 7 days
  rd?: string; // the conversation rated or declined (in any tab): not offered again
  // Own messages not acknowledged yet (client_msg_id, text, when, files): a reload or
  // another page of the website while the server is away must not lose them; they
  // are shown as Sending… and sent again (the same id: the server stores each once).
  p?: StoredPending[];
}

export interface StoredPending {
  i: string;
  x: string;
  ts: number;
  a?: S.Attachment[];
}

// At most this many unsent messages are kept across a reload (the oldest go first).
const kKeptPending = 20;

// The well-formed unsent messages of a stored value (anything from storage).
function storedPending(stored: unknown): StoredPending[] {
  if (!Array.isArray(stored)) return [];
  const kept: StoredPending[] = [];
  for (const p of stored) {
    if (!p || typeof p.i !== "string" || typeof p.x !== "string" || typeof p.ts !== "number") continue;
    const a = Array.isArray(p.a) ? p.a.filter((a: S.Attachment) => a && typeof a.id === "string" && typeof a.name === "string") : [];
    if (!p.x && !a.length) continue;
    kept.push({ i: p.i, x: p.x, ts: p.ts, ...(a.length ? { a } : {}) });
  }
  return kept;
}

function restorePending(chat: S.ChatState, stored: unknown): S.ChatState {
  for (const p of storedPending(stored).slice(-kKeptPending))
    chat = S.addPending(chat, { client_msg_id: p.i, text: p.x, ts: p.ts, attachments: p.a });
  return chat;
}

// What a tab stores as unsent: its own, and those another tab of the website stored
// that this one does not know (each once, by client_msg_id), oldest first, the
// newest kKeptPending. Tabs share one entry: a save must not drop the others'.
export function mergePending(ours: StoredPending[], others: StoredPending[], known: Set<string>): StoredPending[] {
  const theirs = others.filter((p) => !known.has(p.i));
  return [...ours, ...theirs].sort((a, b) => a.ts - b.ts).slice(-kKeptPending);
}

function pendingKey(chat: S.ChatState): string {
  return S.toResend(chat)
    .map((e) => e.client_msg_id)
    .join(" ");
}

// How long after its close a conversation can be rated (the server's window).
const kRatingWindowMs = 7 * 24 * 3600 * 1000;

export interface SessionOptions {
  tenant: string;
  origin: string; // the Switchboard server, e.g. https://chat.example.com
  settings: WidgetSettings;
  lang: string;
  page: string;
  stored: Persisted;
  persist: (value: Persisted) => void;
  onUnread: (count: number) => void;
  onEvent: (name: string, detail: unknown) => void;
  createSocket?: (url: string) => WebSocket; // tests
}

export class Session {
  readonly view: Store<View>;
  private socket: ReconnectingSocket;
  private token: string | null;
  private visitorId: string | null;
  private storedConversation: string | null;
  private profile: Profile = {};
  private visible = false;
  private lastReadSent = 0;
  private typingOn = false;
  private typingTimer: ReturnType<typeof setTimeout> | null = null;
  private theirTypingTimer: ReturnType<typeof setTimeout> | null = null;
  private problemId = 0;
  private lastUnread = -1;
  private closedAt = 0;
  private pendingRate: Frame | null = null;
  // The last conversation whose rating was given or declined, here or in another tab.
  private ratingDone: string | null;
  private transcriptAsked: string | null = null;
  // Unsent messages another tab of the website stored, as it last stored them.
  private othersPending: StoredPending[] = [];

  constructor(private readonly o: SessionOptions) {
    this.token = o.stored.t ?? null;
    this.visitorId = o.stored.t ? (o.stored.v ?? null) : null;
    this.storedConversation = o.stored.c ?? null;
    this.ratingDone = typeof o.stored.rd === "string" ? o.stored.rd : null;
    const due = typeof o.stored.r === "string" && o.stored.r !== this.ratingDone && typeof o.stored.rc === "number" && Date.now() - o.stored.rc < kRatingWindowMs;
    if (due) this.closedAt = o.stored.rc!;
    this.view = new Store<View>({
      chat: restorePending({ ...S.emptyState, seenUpTo: o.stored.s ?? 0 }, o.stored.p),
      connection: "connecting",
      welcomed: false,
      typing: null,
      uploads: [],
      problems: [],
      formDone: false,
      started: false,
      rating: due ? { id: o.stored.r!, rated: null } : null,
    });
    this.socket = new ReconnectingSocket({
      url: () => socketUrl(o.origin, `/v1/ws/visitor?tenant=${encodeURIComponent(o.tenant)}`),
      onOpen: () => this.hello(),
      onFrame: (f) => this.onFrame(f),
      onState: (state) => this.patch({ connection: state, welcomed: state === "open" ? this.view.get().welcomed : false }),
      create: o.createSocket,
      random: o.createSocket ? () => 1 : undefined,
    });
    window.addEventListener("online", () => this.started && this.socket.reconnectNow());
    window.addEventListener("offline", () => this.started && this.socket.networkLost());
    document.addEventListener("visibilitychange", () => this.markSeen());
  }

  private started = false;

  start(): void {
    if (this.started) return;
    this.started = true;
    this.patch({ started: true });
    this.socket.start();
  }

  get chat(): S.ChatState {
    return this.view.get().chat;
  }

  private patch(p: Partial<View>): void {
    this.view.set({ ...this.view.get(), ...p });
  }

  private setChat(chat: S.ChatState): void {
    const before = this.chat;
    this.patch({ chat });
    // Another conversation began: the visitor has moved on from rating the last one.
    const rating = this.view.get().rating;
    if (rating && chat.conversationId && chat.conversationId !== rating.id) this.setRating(null);
    if (chat.conversationId !== before.conversationId || chat.seenUpTo !== before.seenUpTo || pendingKey(chat) !== pendingKey(before)) this.save();
    const unread = this.visible ? 0 : S.unreadCount(chat);
    if (unread !== this.lastUnread) {
      this.lastUnread = unread;
      this.o.onUnread(unread);
    }
  }

  private save(): void {
    const rating = this.view.get().rating;
    const due = rating && rating.rated === null ? { r: rating.id, rc: this.closedAt } : {};
    const done = this.ratingDone ? { rd: this.ratingDone } : {};
    const ours = S.toResend(this.chat).map((e) => ({ i: e.client_msg_id!, x: e.text, ts: e.ts, ...(e.attachments?.length ? { a: e.attachments } : {}) }));
    // Those this tab knows in any state (sent, refused) are its own to decide.
    const known = new Set(this.chat.entries.map((e) => e.client_msg_id).filter((i): i is string => !!i));
    const unsent = mergePending(ours, this.othersPending, known);
    const pending = unsent.length ? { p: unsent } : {};
    this.o.persist({ t: this.token ?? undefined, v: this.visitorId ?? undefined, c: this.chat.conversationId ?? this.storedConversation ?? undefined, s: this.chat.seenUpTo, ...due, ...done, ...pending });
  }

  private setRating(rating: View["rating"]): void {
    // Rated, declined or left for another conversation: every tab stops asking.
    const before = this.view.get().rating;
    if (before && before.rated === null && (!rating || rating.id !== before.id || rating.rated !== null)) this.ratingDone = before.id;
    this.patch({ rating });
    this.save();
  }

  // Another tab of the website changed what is stored (the loader passes the
  // storage event on): a rating given or declined there is not asked here any more.
  // Its unsent messages are kept with this tab's when this one stores next; if it
  // wrote before it heard of this tab's, they are stored again now.
  storedElsewhere(stored: Persisted): void {
    this.adoptVisitor(stored);
    this.othersPending = storedPending(stored.p);
    const there = new Set(this.othersPending.map((p) => p.i));
    if (S.toResend(this.chat).some((e) => !there.has(e.client_msg_id!))) this.save();
    const rating = this.view.get().rating;
    if (typeof stored.rd !== "string" || !rating || rating.rated !== null || rating.id !== stored.rd) return;
    this.ratingDone = stored.rd;
    this.patch({ rating: null });
  }

  // Two tabs that began before either had stored a token (a browser restoring its
  // tabs, storage cleared) are two visitors to the server, and the stored entry is
  // whichever wrote last: the visitor would have a conversation per tab and, after a
  // reload, find one of them. They agree on one visitor: a tab with no conversation of
  // its own takes the other's when that one has a conversation, or, when neither has,
  // the one with the smaller id (both tabs decide the same). It connects again as
  // that visitor, and the welcome and replay bring the conversation; its unsent
  // messages are sent there. A tab in a conversation keeps it; two tabs in two
  // conversations keep theirs (the stored entry: the last to write, as before).
  private adoptVisitor(stored: Persisted): void {
    const other = typeof stored.v === "string" && stored.v && typeof stored.t === "string" && stored.t ? stored.v : null;
    if (!other || other === this.visitorId || !this.visitorId && this.chat.conversationId) return;
    if (this.chat.conversationId || (this.visitorId && !stored.c && other > this.visitorId)) {
      // This tab's visitor stays: stored again, so that the other tab hears of it
      // and comes over (it wrote last). Two conversations: each tab keeps its own.
      if (!stored.c) this.save();
      return;
    }
    this.token = stored.t!;
    this.visitorId = other;
    this.storedConversation = stored.c ?? null;
    if (this.started) this.socket.reconnectNow();
  }

  // After a reload the server's welcome names no open conversation, but the one
  // still to be rated closed before it: its messages come from the REST history
  // (the visitor's own conversation, with their token) and are shown closed, as
  // before the reload, above the rating.
  private async showClosedTranscript(): Promise<void> {
    const rating = this.view.get().rating;
    const id = rating?.id;
    if (!id || rating.rated !== null || !this.token || this.transcriptAsked === id || this.chat.conversationId || this.chat.entries.length) return;
    this.transcriptAsked = id;
    let messages: S.MessageFrame[];
    try {
      const url = `${this.o.origin}/v1/tenants/${encodeURIComponent(this.o.tenant)}/conversations/${encodeURIComponent(id)}/messages?limit=200`;
      const response = await fetch(url, { headers: { Authorization: "Bearer " + this.token } });
      if (!response.ok) return; // the rating is still offered, without the messages
      const body = await response.json();
      messages = Array.isArray(body?.messages) ? body.messages : [];
    } catch {
      return;
    }
    // The visitor may have moved on while it loaded (a new message, rated, declined).
    if (this.view.get().rating?.id !== id || this.chat.conversationId || this.chat.entries.length) return;
    this.setChat(S.applyHistory(this.chat, id, messages));
  }

  private hello(): void {
    this.patch({ welcomed: false });
    // The server takes at most 64 attributes, strings of at most 256 bytes.
    const meta: Record<string, string | number | boolean> = {};
    for (const [key, value] of Object.entries(this.profile.attributes ?? {}).slice(0, 60))
      meta[key.slice(0, 64)] = typeof value === "string" ? value.slice(0, 80) : value;
    meta.page = this.o.page.slice(0, 256);
    meta.lang = this.o.lang;
    const frame: Frame = { type: "hello", meta };
    if (this.token) frame.visitor_token = this.token;
    if (this.profile.name) frame.name = this.profile.name;
    if (this.profile.email) frame.email = this.profile.email;
    const replay = S.replayFrom(this.chat, this.storedConversation);
    if (replay) frame.last_seq = replay;
    this.socket.send(frame);
  }

  private onFrame(f: Frame): void {
    const any = f as any;
    switch (f.type) {
      case "welcome": {
        this.token = String(any.visitor_token);
        this.visitorId = typeof any.visitor_id === "string" ? any.visitor_id : null;
        this.patch({ welcomed: true });
        this.setChat(S.applyWelcome(this.chat, any.conversation ?? null));
        if (!any.conversation) this.storedConversation = null;
        this.save();
        if (!any.conversation) void this.showClosedTranscript();
        for (const e of S.toResend(this.chat)) this.sendMessage(e);
        if (this.pendingRate && this.socket.send(this.pendingRate)) this.pendingRate = null;
        this.markSeen();
        break;
      }
      case "ack":
        this.setChat(S.applyAck(this.chat, any));
        this.o.onEvent("message", { from: "visitor", text: this.chat.entries.find((e) => e.client_msg_id === any.client_msg_id)?.text ?? "" });
        break;
      case "message": {
        const before = this.chat;
        this.setChat(S.applyMessage(this.chat, any));
        if (this.chat !== before && any.from?.role !== "visitor") {
          if (this.view.get().typing !== null) this.patch({ typing: null });
          this.o.onEvent("message", { from: any.from?.role, name: any.from?.name, text: any.text });
        }
        this.markSeen();
        break;
      }
      case "typing":
        if (any.from?.role === "visitor") break;
        if (this.theirTypingTimer) clearTimeout(this.theirTypingTimer);
        if (any.on) {
          const agent = this.chat.agent;
          this.patch({ typing: agent && agent.id === any.from?.id ? agent.name : "" });
          this.theirTypingTimer = setTimeout(() => this.patch({ typing: null }), 8000);
        } else {
          this.patch({ typing: null });
        }
        break;
      case "read":
        if (any.from?.role !== "visitor") this.setChat(S.applyRead(this.chat, any));
        break;
      case "conversation.assigned":
        this.setChat(S.applyAssigned(this.chat, any));
        this.o.onEvent("agent", any.agent);
        break;
      case "conversation.queued":
        this.setChat(S.applyQueued(this.chat, any));
        break;
      case "conversation.closed":
        this.patch({ typing: null });
        this.setChat(S.applyClosed(this.chat, any));
        if (this.chat.conversationId) {
          this.closedAt = Date.now();
          this.setRating({ id: this.chat.conversationId, rated: null });
        }
        this.o.onEvent("closed", { by: any.by });
        break;
      case "rated": {
        const rating = this.view.get().rating;
        if (rating && rating.id === any.conversation_id) this.setRating({ ...rating, rated: Number(any.score) });
        break;
      }
      case "error":
        if (!this.view.get().welcomed && (this.profile.name || this.profile.email || this.profile.attributes)) {
          // The hello was refused (a bad email or attribute from the website): say
          // hello again without them rather than stay unconnected.
          console.warn("Switchboard: hello refused:", any.message);
          this.profile = {};
          this.hello();
          break;
        }
        // Storage or the tenant's owner was away a moment: nothing was stored, the same
        // message goes again (as after too many messages at once).
        if ((any.code === "rate_limited" || any.code === "unavailable") && typeof any.ref === "string") {
          // Still pending: tried again after the next welcome or shortly.
          setTimeout(() => {
            const e = this.chat.entries.find((x) => x.client_msg_id === any.ref && x.state === "pending");
            if (e) this.sendMessage(e);
          }, 1500);
          break;
        }
        // Refused for good: marked, and not sent again (nor kept for the next page) by itself.
        if (typeof any.ref === "string") this.setChat(S.markFailed(this.chat, any.ref));
        // Its words are English, for operators: the visitor is told in their language.
        console.warn("Switchboard:", any.code, any.message);
        this.problem({ kind: "server", code: String(any.code ?? "") });
        break;
    }
  }

  private problem(problem: Problem): void {
    const id = ++this.problemId;
    this.patch({ problems: [...this.view.get().problems, { id, problem }] });
    setTimeout(() => this.dismiss(id), 12000);
  }

  dismiss(id: number): void {
    this.patch({ problems: this.view.get().problems.filter((p) => p.id !== id) });
  }

  private sendMessage(e: S.Entry): void {
    if (!this.view.get().welcomed) return; // sent after the next welcome
    const frame: Frame = { type: "message", client_msg_id: e.client_msg_id!, text: e.text, ref: e.client_msg_id! };
    if (e.attachments?.length) frame.attachments = e.attachments.map((a) => a.id);
    this.socket.send(frame);
  }

  send(text: string, attachments?: S.Attachment[]): void {
    text = text.trim();
    if (!text && !attachments?.length) return;
    this.stopTyping();
    const client_msg_id = newClientMsgId("w");
    this.setChat(S.addPending(this.chat, { client_msg_id, text, ts: Date.now(), attachments }));
    const entry = this.chat.entries.find((e) => e.client_msg_id === client_msg_id)!;
    this.sendMessage(entry);
    // Offline, the retries back off up to 15 s; a visitor who presses Send is
    // waiting now, so the next try is now (and the back-off starts over).
    if (this.socket.state === "reconnecting") this.socket.reconnectNow();
  }

  // "Retry" on a message the server refused.
  retry(clientMsgId: string): void {
    const before = this.chat;
    this.setChat(S.markRetried(this.chat, clientMsgId));
    const e = this.chat.entries.find((x) => x.client_msg_id === clientMsgId && x.state === "pending");
    if (e && this.chat !== before) this.sendMessage(e);
  }

  // The visitor is typing: "on" once, "off" after a pause or when sent.
  typing(hasText: boolean): void {
    const id = this.chat.conversationId;
    if (!id || this.chat.status === "closed" || !this.view.get().welcomed) return;
    if (!hasText) {
      this.stopTyping();
      return;
    }
    if (!this.typingOn) {
      this.typingOn = true;
      this.socket.send({ type: "typing", conversation_id: id, on: true });
    }
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), 4000);
  }

  private stopTyping(): void {
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = null;
    if (!this.typingOn) return;
    this.typingOn = false;
    const id = this.chat.conversationId;
    if (id) this.socket.send({ type: "typing", conversation_id: id, on: false });
  }

  // The panel is open (or not): what is shown counts as seen, and the agent hears so.
  setVisible(visible: boolean): void {
    this.visible = visible;
    this.markSeen();
    if (!visible) this.setChat(this.chat);
  }

  private markSeen(): void {
    if (!this.visible || document.visibilityState === "hidden") return;
    const seq = S.lastSeq(this.chat);
    if (seq > this.chat.seenUpTo) this.setChat({ ...this.chat, seenUpTo: seq });
    else this.setChat(this.chat);
    const id = this.chat.conversationId;
    const theirs = Math.max(0, ...this.chat.entries.filter((e) => e.from.role !== "visitor" && e.seq !== undefined).map((e) => e.seq!));
    // A closed conversation takes no receipts (the server would refuse them).
    if (id && theirs > this.lastReadSent && this.view.get().welcomed && this.chat.status !== "closed") {
      this.lastReadSent = theirs;
      this.socket.send({ type: "read", conversation_id: id, seq: theirs });
    }
  }

  identify(profile: Profile): void {
    this.profile = { ...this.profile, ...profile };
    if (this.view.get().welcomed) this.rehello();
  }

  // The pre-chat or offline form: who the visitor is, and their first message.
  submitForm(profile: Profile, message: string): void {
    this.profile = { ...this.profile, ...profile };
    this.patch({ formDone: true });
    // The message goes after the (new) hello, so it arrives with the name and email.
    if (!this.started) this.start();
    else if (profile.name || profile.email) this.rehello();
    if (message.trim()) this.send(message);
  }

  // A new connection, whose hello says who the visitor is now.
  private rehello(): void {
    this.patch({ welcomed: false });
    this.socket.reconnectNow();
  }

  rate(score: number, comment: string): void {
    const id = this.view.get().rating?.id;
    if (!id) return;
    const frame: Frame = { type: "rate", conversation_id: id, score, comment };
    // After a reload the socket may not be up yet: sent after the welcome.
    if (!this.view.get().welcomed || !this.socket.send(frame)) this.pendingRate = frame;
    this.start();
  }

  // "No thanks": the rating is not offered again.
  dismissRating(): void {
    this.setRating(null);
  }

  newConversation(): void {
    const rating = this.view.get().rating;
    if (rating && rating.rated === null) this.ratingDone = rating.id;
    this.patch({ rating: null });
    this.storedConversation = null;
    this.setChat({ ...S.emptyState, seenUpTo: 0 });
    this.lastReadSent = 0;
    this.save();
  }

  async attach(file: File, settings: WidgetSettings = this.o.settings): Promise<void> {
    const refusal = checkFile(file, settings.attachments);
    if (refusal) {
      this.problem({ kind: "refused", name: file.name, refusal });
      return;
    }
    if (!this.token || !this.view.get().welcomed) {
      this.problem({ kind: "upload", name: file.name, code: "offline" });
      return;
    }
    const id = newClientMsgId("u");
    const setPercent = (percent: number) => this.patch({ uploads: this.view.get().uploads.map((u) => (u.id === id ? { ...u, percent } : u)) });
    this.patch({ uploads: [...this.view.get().uploads, { id, name: file.name, percent: 0 }] });
    try {
      const attachment = await upload(this.o.tenant, this.token, file, setPercent);
      this.send("", [attachment]);
    } catch (e) {
      const refused = e as UploadError;
      if (refused.message) console.warn("Switchboard: upload refused:", refused.code, refused.message);
      this.problem({ kind: "upload", name: file.name, code: typeof refused.code === "string" ? refused.code : "" });
    } finally {
      this.patch({ uploads: this.view.get().uploads.filter((u) => u.id !== id) });
    }
  }

  currentToken(): string | null {
    return this.token;
  }
}
