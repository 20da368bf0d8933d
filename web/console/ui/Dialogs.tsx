import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { knownGroups } from "../model/inbox";
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
  const others = state.agents.filter((a) => a.id !== me && a.status !== "disabled");
  const groups = knownGroups(state.inbox, state.agents.flatMap((a) => a.groups));

  function submit(e: Event) {
    e.preventDefault();
    if (mode === "agent" && agent.trim()) store.transfer(id, { agent: agent.trim() });
    if (mode === "group" && group.trim()) store.transfer(id, { group: group.trim() });
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
            <label>
              {t("agent")}
              <select value={agent} onChange={(e) => setAgent(e.currentTarget.value)} required>
                <option value="" />
                {others.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name} ({t(a.status === "online" ? "online" : a.status === "away" ? "away" : "offline")})
                  </option>
                ))}
              </select>
            </label>
          ) : (
            <label>
              {t("agent")}
              <input value={agent} placeholder={t("agentIdHint")} onInput={(e) => setAgent(e.currentTarget.value)} required />
            </label>
          )
        ) : (
          <label>
            {t("group")}
            <input value={group} list="transfer-groups" placeholder={t("groupHint")} onInput={(e) => setGroup(e.currentTarget.value)} required />
            <datalist id="transfer-groups">
              {groups.map((g) => (
                <option key={g} value={g} />
              ))}
            </datalist>
          </label>
        )}
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            {t("cancel")}
          </button>
          <button type="submit" class="primary">
            {t("transferGo")}
          </button>
        </div>
      </form>
    </Dialog>
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
