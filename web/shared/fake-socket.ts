// A stand-in for the browser's WebSocket in unit tests: it records what the code
// sends (parsed when it is JSON) and lets the test open it, push frames and drop it.
// Tests assign it to globalThis.WebSocket; every instance made is in FakeSocket.made.
export class FakeSocket {
  static made: FakeSocket[] = [];
  readyState = 0;
  sent: any[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;

  constructor(public url: string) {
    FakeSocket.made.push(this);
  }
  send(text: string) {
    try {
      this.sent.push(JSON.parse(text));
    } catch {
      this.sent.push(text);
    }
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  frame(f: object) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  drop(code = 1006, reason = "") {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
}
