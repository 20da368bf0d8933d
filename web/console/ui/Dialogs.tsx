import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { knownGroups } from "../model/inbox";
import { charactersOverBytes, kMaxTransferNoteBytes } from "../model/limits";
import { useApp } from "./context";

function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ComponentChildren }) {
  const [, store] = useApp();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>("input, select, button:not(.dialog-x), textarea");
    (first ?? box.current)?.focus();
    return () => previous?.focus?.();
  }, []);
  function onKeyDown(e: KeyboardEvent) {
    if (e.key === "Escape") {
      e.stopPropagation();
      onClose();
    }
    if (e.key === "Tab") {
      // Keep focus inside the dialog.
      const items = Array.from(box.current!.querySelectorAll<HTMLElement>("button, input, select, textarea, a[href]")).filter((el) => !el.hasAttribute("disabled"));
      if (items.length === 0) return;
      const first = items[0];
      const last = items[items.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  }
  return (
    <div class="backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="dialog-title" ref={box} tabIndex={-1} onKeyDown={onKeyDown}>
        <div class="dialog-head">
          <h2 id="dialog-title">{title}</h2>
          <button class="icon-button dialog-x" aria-label={store.t("closeDialog")} onClick={onClose}>
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}

export function Dialogs() {
  const [state, store] = useApp();
  const close = () => store.setDialog(null);
  if (state.dialog === "shortcuts") return <ShortcutsDialog onClose={close} />;
  if (!state.selected) return null;
  if (state.dialog === "transfer") return <TransferDialog id={state.selected} onClose={close} />;
  if (state.dialog === "close") {
    const t = store.t;
    const id = state.selected;
    return (
      <Dialog title={t("close")} onClose={close}>
        <p>{t("closeConfirm")}</p>
        <div class="dialog-buttons">
          <button onClick={close}>{t("cancel")}</button>
          <button class="danger" onClick={() => store.close(id)}>
            {t("confirm")}
          </button>
        </div>
      </Dialog>
    );
  }
  return null;
}

function TransferDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const [state, store] = useApp();
  const t = store.t;
  const me = state.session!.agent.id;
  const [mode, setMode] = useState<"agent" | "group">("agent");
  const [agent, setAgent] = useState("");
  const [group, setGroup] = useState("");
  const [note, setNote] = useState("");
  const noteOver = charactersOverBytes(note.trim(), kMaxTransferNoteBytes);
  // Who can take it first, then the others (shown, not choosable: the server
  // refuses a transfer to an agent who is away, offline or full).
  const others = state.agents.filter((a) => a.id !== me).sort((a, b) => Number(b.available) - Number(a.available) || a.name.localeCompare(b.name));
  const groupNames = new Map(state.groups.map((g) => [g.id, g.name]));
  const groups = knownGroups(state.inbox, state.groups.map((g) => g.id)).map((g) => ({ id: g, name: groupNames.get(g) ?? g }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const statusText = (a: { status: string; available: boolean }) => t(a.available ? "online" : a.status === "online" ? "busy" : a.status === "away" ? "away" : "offline");

  function submit(e: Event) {
    e.preventDefault();
    if (noteOver > 0) return;
    const withNote = note.trim() ? { note: note.trim() } : {};
    if (mode === "agent" && agent.trim()) store.transfer(id, { agent: agent.trim(), ...withNote });
    if (mode === "group" && group.trim()) store.transfer(id, { group: group.trim(), ...withNote });
  }

  return (
    <Dialog title={t("transferTitle")} onClose={onClose}>
      <form onSubmit={submit} class="transfer-form">
        <fieldset class="segmented">
          <legend class="sr-only">{t("transferTitle")}</legend>
          <label class={mode === "agent" ? "active" : ""}>
            <input type="radio" name="mode" checked={mode === "agent"} onChange={() => setMode("agent")} />
            {t("transferToAgent")}
          </label>
          <label class={mode === "group" ? "active" : ""}>
            <input type="radio" name="mode" checked={mode === "group"} onChange={() => setMode("group")} />
            {t("transferToGroup")}
          </label>
        </fieldset>
        {mode === "agent" ? (
          others.length > 0 ? (
            <>
              <Pick label={t("agent")} empty={t("chooseAgent")} value={agent} onChange={setAgent} items={others.map((a) => ({ id: a.id, text: `${a.name} (${statusText(a)})`, disabled: !a.available }))} />
              {!others.some((a) => a.available) && <p class="muted transfer-hint">{t("nobodyFree")}</p>}
            </>
          ) : (
            <label>
              {t("agent")}
              <input value={agent} placeholder={t("agentIdHint")} onInput={(e) => setAgent(e.currentTarget.value)} required />
            </label>
          )
        ) : groups.length > 0 ? (
          <Pick label={t("group")} empty={t("chooseGroup")} value={group} onChange={setGroup} items={groups.map((g) => ({ id: g.id, text: g.name }))} />
        ) : (
          <label>
            {t("group")}
            <input value={group} placeholder={t("groupHint")} onInput={(e) => setGroup(e.currentTarget.value)} required />
          </label>
        )}
        <div class="note-field">
          <label for="transfer-note">{t("transferNote")}</label>
          <textarea
            id="transfer-note"
            value={note}
            rows={3}
            aria-invalid={noteOver > 0 ? "true" : undefined}
            aria-describedby="transfer-note-hint"
            onInput={(e) => setNote(e.currentTarget.value)}
          />
          {noteOver > 0 ? (
            <p id="transfer-note-hint" class="field-error" role="alert">
              {t(noteOver === 1 ? "transferNoteTooLongOne" : "transferNoteTooLong", { n: noteOver })}
            </p>
          ) : (
            <span id="transfer-note-hint" class="field-hint muted">
              {t("transferNoteHint")}
            </span>
          )}
        </div>
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            {t("cancel")}
          </button>
          <button type="submit" class="primary" disabled={noteOver > 0}>
            {t("transferGo")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

// A labelled choice of one (a colleague, a group); `empty` is what it says before one is picked.
function Pick({ label, empty, value, onChange, items }: { label: string; empty: string; value: string; onChange: (id: string) => void; items: { id: string; text: string; disabled?: boolean }[] }) {
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)} required>
        <option value="">{empty}</option>
        {items.map((i) => (
          <option key={i.id} value={i.id} disabled={i.disabled}>
            {i.text}
          </option>
        ))}
      </select>
    </label>
  );
}

export const kShortcuts: { keys: string[]; text: "kNextConv" | "kPrevConv" | "kTabs" | "kFocusComposer" | "kToggleNote" | "kCanned" | "kSend" | "kNewline" | "kAccept" | "kTransfer" | "kClose" | "kHelp" | "kEscape" }[] = [
  { keys: ["Alt", "↓"], text: "kNextConv" },
  { keys: ["Alt", "↑"], text: "kPrevConv" },
  { keys: ["Alt", "1…4"], text: "kTabs" },
  { keys: ["Alt", "R"], text: "kFocusComposer" },
  { keys: ["Alt", "N"], text: "kToggleNote" },
  { keys: ["/"], text: "kCanned" },
  { keys: ["Enter"], text: "kSend" },
  { keys: ["Shift", "Enter"], text: "kNewline" },
  { keys: ["Alt", "A"], text: "kAccept" },
  { keys: ["Alt", "T"], text: "kTransfer" },
  { keys: ["Alt", "W"], text: "kClose" },
  { keys: ["?"], text: "kHelp" },
  { keys: ["Esc"], text: "kEscape" },
];

function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const [, store] = useApp();
  const t = store.t;
  return (
    <Dialog title={t("shortcutsTitle")} onClose={onClose}>
      <table class="shortcuts">
        <tbody>
          {kShortcuts.map((s) => (
            <tr key={s.text}>
              <td>
                {s.keys.map((k, i) => (
                  <>
                    {i > 0 && " + "}
                    <kbd>{k}</kbd>
                  </>
                ))}
              </td>
              <td>{t(s.text)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
