// A WebSocket that comes back: JSON frames in and out, reconnect with exponential
// backoff and jitter, and a state the UI shows (connecting, open, reconnecting).
// What to send again after a reconnect (hello with last_seq, pending messages) is
// the caller's decision: it gets "open" each time and sends its hello there.

export type SocketState = "connecting" | "open" | "reconnecting" | "closed";

export interface Frame {
  type: string;
  [key: string]: unknown;
}

export interface SocketOptions {
  url: () => string; // asked again before each attempt (a token may have changed)
  onOpen: () => void;
  onFrame: (frame: Frame) => void;
  onState?: (state: SocketState) => void;
  // A close the server means as final (e.g. 4001 signed out): no more attempts.
  isFinal?: (code: number, reason: string) => boolean;
  onFinal?: (code: number, reason: string) => void;
  minDelayMs?: number;
  maxDelayMs?: number;
  // Injected by tests.
  create?: (url: string) => WebSocket;
  random?: () => number;
}

// The delay before attempt n (0-based) of a run of failures: doubling from
// minDelayMs up to maxDelayMs, with up to a quarter of jitter so a server restart
// is not met by every client in the same millisecond.
export function backoffDelayMs(attempt: number, minDelayMs: number, maxDelayMs: number, random: () => number): number {
  const base = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(attempt, 16));
  return Math.round(base * (0.75 + random() * 0.25));
}

export class ReconnectingSocket {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private currentState: SocketState = "connecting";

  constructor(private readonly options: SocketOptions) {}

  get state(): SocketState {
    return this.currentState;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  // Sends a frame now; false when the socket is not open (the caller keeps it pending).
  send(frame: Frame): boolean {
    if (!this.ws || this.ws.readyState !== 1 /* OPEN */) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  // Reconnects at once (e.g. the browser came back online), keeping nothing of the
  // old connection.
  reconnectNow(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.attempt = 0;
    this.ws?.close();
    this.connect();
  }

  // The browser says the network is gone. A connection that still looks open
  // carries nothing now, and may take minutes to notice: give it up, say so
  // (reconnecting), and try again on the usual backoff ("online" can call
  // reconnectNow to try at once).
  networkLost(): void {
    if (this.stopped) return;
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    if (!this.timer) this.scheduleRetry();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    this.setState("closed");
  }

  private setState(state: SocketState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.options.onState?.(state);
  }

  private connect(): void {
    const create = this.options.create ?? ((url: string) => new WebSocket(url));
    let ws: WebSocket;
    try {
      ws = create(this.options.url());
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (this.ws !== ws) return;
      this.attempt = 0;
      this.setState("open");
      this.options.onOpen();
    };
    ws.onmessage = (event: MessageEvent) => {
      if (this.ws !== ws || typeof event.data !== "string") return;
      let frame: unknown;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame === "object" && typeof (frame as Frame).type === "string") this.options.onFrame(frame as Frame);
    };
    ws.onclose = (event: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      if (this.options.isFinal?.(event.code, event.reason)) {
        this.stopped = true;
        this.setState("closed");
        this.options.onFinal?.(event.code, event.reason);
        return;
      }
      this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    this.setState("reconnecting");
    const delay = backoffDelayMs(this.attempt++, this.options.minDelayMs ?? 500, this.options.maxDelayMs ?? 15000, this.options.random ?? Math.random);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }
}

// The ws:// or wss:// URL of a path on the given http(s) origin.
export function socketUrl(origin: string, pathAndQuery: string): string {
  return origin.replace(/^http/, "ws") + pathAndQuery;
}
