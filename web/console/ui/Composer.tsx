import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../api";
import { applyCanned, searchCanned, slashQueryAt, type SlashQuery } from "../model/canned";
import type { Attachment, Conv } from "../model/types";
import { useApp } from "./context";
import { LockIcon, PaperclipIcon } from "./Icons";
import { formatBytes } from "./RichText";

interface Upload {
  key: string;
  name: string;
  progress: number;
  attachment?: Attachment;
  error?: string;
  abort?: () => void;
}

const kTypingIdleMs = 3000;

// Reply or private note; "/" anywhere opens the canned replies (type to search,
// ↑/↓ and Enter or Tab to pick, Esc to close); Enter sends, Shift+Enter breaks the line.
export function Composer({ conv }: { conv: Conv }) {
  const [state, store] = useApp();
  const t = store.t;
  const note = state.noteMode;
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  // Kept by the store too (the browser's storage): a reload gives it back.
  const text = drafts[conv.id] ?? store.draft(conv.id);
  const [slash, setSlash] = useState<SlashQuery | null>(null);
  const [choice, setChoice] = useState(0);
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [dragging, setDragging] = useState(false);
  const [tooLong, setTooLong] = useState(0); // characters over the server's limit at the last Send
  const area = useRef<HTMLTextAreaElement>(null);
  const file = useRef<HTMLInputElement>(null);
  const typingOn = useRef(false);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const matches = slash ? searchCanned(state.canned, slash.query) : [];

  useEffect(() => {
    if (state.composerFocus) area.current?.focus();
  }, [state.composerFocus]);

  useEffect(() => {
    setSlash(null);
    setUploads([]);
    setTooLong(0);
    return () => stopTyping();
  }, [conv.id]);

  function setText(value: string) {
    setDrafts((d) => ({ ...d, [conv.id]: value }));
    store.saveDraft(conv.id, value);
  }

  function stopTyping() {
    if (typingTimer.current) clearTimeout(typingTimer.current);
    typingTimer.current = null;
    if (typingOn.current) {
      typingOn.current = false;
      store.typing(conv.id, false);
    }
  }

  function typed() {
    if (note) return; // notes are not the visitor's business
    if (!typingOn.current) {
      typingOn.current = true;
      store.typing(conv.id, true);
    }
    if (typingTimer.current) clearTimeout(typingTimer.current);
    typingTimer.current = setTimeout(stopTyping, kTypingIdleMs);
  }

  function onInput(e: Event) {
    const el = e.currentTarget as HTMLTextAreaElement;
    setText(el.value);
    // Told it is too long: say how much is still too much, until it fits.
    if (tooLong) setTooLong(store.charactersOver(conv.id, el.value, note, []));
    const q = slashQueryAt(el.value, el.selectionStart ?? el.value.length);
    setSlash(q);
    setChoice(0);
    if (el.value) typed();
    else stopTyping();
  }

  function pick(index: number) {
    const reply = matches[index];
    if (!reply || !slash) return;
    const next = applyCanned(text, slash, reply);
    setText(next.text);
    setSlash(null);
    requestAnimationFrame(() => {
      const el = area.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(next.caret, next.caret);
    });
  }

  function send() {
    if (uploads.some((u) => !u.attachment && !u.error)) return; // still uploading
    const attachments = uploads.filter((u) => u.attachment).map((u) => u.attachment!);
    if (!text.trim() && attachments.length === 0) return;
    const over = store.sendMessage(conv.id, text, note, attachments);
    if (over > 0) {
      // Nothing sent: the text stays for the agent to shorten or split.
      setTooLong(over);
      area.current?.focus();
      return;
    }
    setTooLong(0);
    setText("");
    setUploads([]);
    setSlash(null);
    stopTyping();
  }

  function onKeyDown(e: KeyboardEvent) {
    if (slash && matches.length > 0) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        setChoice((c) => (c + (e.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length);
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        pick(choice);
        return;
      }
    }
    if (slash && e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      setSlash(null);
      return;
    }
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      send();
    }
  }

  function onKeyUp(e: KeyboardEvent) {
    // The caret moved without typing (arrows, Home/End): still in a "/" word?
    if (["ArrowLeft", "ArrowRight", "Home", "End"].includes(e.key)) {
      const el = e.currentTarget as HTMLTextAreaElement;
      setSlash(slashQueryAt(el.value, el.selectionStart ?? 0));
    }
  }

  function attach(files: FileList | null) {
    if (state.attachments?.enabled === false) return;
    const limit = state.attachments?.max_bytes ?? 0;
    for (const f of Array.from(files ?? [])) {
      const key = Math.random().toString(36).slice(2);
      if (limit && f.size > limit) {
        // No need to send megabytes to hear "too large".
        setUploads((list) => [...list, { key, name: f.name, progress: 0, error: t("tooLarge", { limit: formatBytes(limit) }) }]);
        continue;
      }
      const { promise, abort } = store.api.upload(f, (p) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, progress: p } : u))));
      setUploads((list) => [...list, { key, name: f.name, progress: 0, abort }]);
      promise.then(
        (attachment) => setUploads((list) => list.map((u) => (u.key === key ? { ...u, progress: 1, attachment } : u))),
        (err) => {
          if (err instanceof ApiError && err.code === "aborted") return;
          setUploads((list) => list.map((u) => (u.key === key ? { ...u, error: err instanceof Error ? err.message : String(err) } : u)));
        },
      );
    }
    if (file.current) file.current.value = "";
  }

  function remove(u: Upload) {
    u.abort?.();
    setUploads((list) => list.filter((x) => x.key !== u.key));
  }

  function onPaste(e: ClipboardEvent) {
    const files = e.clipboardData?.files;
    if (files && files.length) {
      e.preventDefault();
      attach(files);
    }
  }

  const label = note ? t("composerNote") : t("composer");
  const busy = uploads.some((u) => !u.attachment && !u.error);
  return (
    <div
      class={`composer ${note ? "note-mode" : ""} ${dragging ? "dragging" : ""}`}
      onDragOver={(e) => {
        if (!e.dataTransfer?.types.includes("Files")) return;
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        attach(e.dataTransfer?.files ?? null);
      }}
    >
      <div class="composer-modes" role="group" aria-label={t("modeReply") + " / " + t("modeNote")}>
        <button class={!note ? "mode active" : "mode"} aria-pressed={!note} onClick={() => store.setNoteMode(false)}>
          {t("modeReply")}
        </button>
        <button class={note ? "mode active note" : "mode"} aria-pressed={note} onClick={() => store.setNoteMode(true)}>
          <LockIcon /> {t("modeNote")}
        </button>
        {note && <span class="note-hint">{t("privateNoteHint")}</span>}
      </div>
      {slash && (
        <div class="canned" role="listbox" aria-label={t("cannedReplies")} id="canned-list">
          {matches.length === 0 && <div class="canned-empty">{state.canned.length === 0 ? t("noCannedAtAll") : t("noCanned", { query: slash.query })}</div>}
          {matches.map((r, i) => (
            <div
              key={r.id}
              role="option"
              id={`canned-${r.id}`}
              aria-selected={i === choice}
              class={i === choice ? "canned-item active" : "canned-item"}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(i);
              }}
            >
              <span class="canned-shortcut">/{r.shortcut.replace(/^\//, "")}</span>
              <span class="canned-text">{r.text}</span>
            </div>
          ))}
        </div>
      )}
      {uploads.length > 0 && (
        <ul class="uploads" aria-label={t("attach")}>
          {uploads.map((u) => (
            <li key={u.key} class={u.error ? "upload error" : "upload"}>
              {u.error ? (
                <span role="alert">{t("uploadFailed", { name: u.name, message: u.error })}</span>
              ) : u.attachment ? (
                <>
                  <span class="upload-name">{u.name}</span>
                  <span class="upload-size">{formatBytes(u.attachment.size)}</span>
                </>
              ) : (
                <>
                  <span class="upload-name">{u.name}</span>
                  <progress max={1} value={u.progress} aria-label={t("uploading", { name: u.name, percent: Math.round(u.progress * 100) })} />
                </>
              )}
              <button class="icon-button small" aria-label={t("removeAttachment", { name: u.name })} onClick={() => remove(u)}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {tooLong > 0 && (
        <div class="composer-problem" id={`too-long-${conv.id}`} role="alert">
          {t(tooLong === 1 ? "tooLongToSendOne" : "tooLongToSend", { n: tooLong })}
        </div>
      )}
      <div class="composer-row">
        {state.attachments?.enabled !== false && (
          <>
            <button class="icon-button" aria-label={t("attach")} title={t("attach")} onClick={() => file.current?.click()}>
              <PaperclipIcon />
            </button>
            <input ref={file} type="file" multiple hidden aria-label={t("attach")} onChange={(e) => attach(e.currentTarget.files)} />
          </>
        )}
        <textarea
          ref={area}
          aria-label={label}
          aria-invalid={tooLong > 0 || undefined}
          aria-describedby={tooLong > 0 ? `too-long-${conv.id}` : undefined}
          aria-autocomplete="list"
          aria-controls={slash ? "canned-list" : undefined}
          aria-activedescendant={slash && matches[choice] ? `canned-${matches[choice].id}` : undefined}
          placeholder={note ? t("placeholderNote") : t("placeholderReply")}
          rows={2}
          value={text}
          onInput={onInput}
          onKeyDown={onKeyDown}
          onKeyUp={onKeyUp}
          onPaste={onPaste}
          onBlur={() => setTimeout(() => setSlash(null), 150)}
        />
        <button class={note ? "note-send" : "primary"} disabled={busy} onClick={send}>
          {note ? t("addNote") : t("send")}
        </button>
      </div>
    </div>
  );
}
