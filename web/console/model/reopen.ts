// Which conversation was open in this tab, so a reload opens it again rather than
// an empty pane. Kept in sessionStorage (this tab only: another tab keeps its own),
// one entry per tenant and agent; storage that refuses costs only this.
import type { Conv } from "./types";

export function openKey(tenant: string, agent: string): string {
  return `sb.console.open.${encodeURIComponent(tenant)}.${encodeURIComponent(agent)}`;
}

export class OpenMemory {
  constructor(
    private readonly storage: Pick<Storage, "getItem" | "setItem" | "removeItem"> | null,
    private readonly key: string,
  ) {}

  remember(id: string | null): void {
    try {
      if (id) this.storage?.setItem(this.key, id);
      else this.storage?.removeItem(this.key);
    } catch {
      /* storage refused */
    }
  }

  // The remembered conversation if it is still open and the agent's own (the
  // welcome lists those); null otherwise (closed, transferred, taken back meanwhile).
  reopen(conversations: readonly Conv[], me: string): string | null {
    let id: string | null = null;
    try {
      id = this.storage?.getItem(this.key) ?? null;
    } catch {
      return null;
    }
    const c = id ? conversations.find((x) => x.id === id) : undefined;
    return c && c.assignee === me && c.status === "assigned" ? c.id : null;
  }
}
