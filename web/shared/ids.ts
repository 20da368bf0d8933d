// Client message ids: unique per sender, so a resend after a reconnect is
// recognised by the server and stored once.
export function newClientMsgId(prefix = "m"): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return prefix + "_" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
