/** @jsxImportSource react */
// The Widget settings page: the widget's look, words, pre-chat form and allowed
// websites, edited in a form beside a live preview (the real chat frame in its
// preview mode, sent the unsaved settings by postMessage), and the embed code to
// copy. Saves over the version it loaded only (412: someone else changed it).
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { ApiError } from "../api";
import type { Lang } from "../i18n";
import type { PagesApi, PreChatField, WidgetSettings } from "./api";
import { settingsTranslator, type ST } from "./settings-text";
import type { PT } from "./text";
import { ChangedBanner, Field, FieldErrors, Notice, NoticeLine, fieldErrors, problemText } from "./ui";

const kFields: PreChatField[] = ["name", "email", "question"];
const kLangs = ["en", "zh"] as const;

// The tag a website pastes: this server's own address, the tenant's id.
export function embedSnippet(origin: string, tenant: string): string {
  return `<script src="${origin}/widget.js" data-tenant="${tenant}" async></script>`;
}

// "#abc" as the colour picker needs it ("#aabbcc"); anything else as black.
export function pickerColor(color: string): string {
  if (/^#[0-9a-f]{6}$/i.test(color)) return color.toLowerCase();
  if (/^#[0-9a-f]{3}$/i.test(color)) return ("#" + [...color.slice(1)].map((c) => c + c).join("")).toLowerCase();
  return "#000000";
}

export function WidgetPage({ pt, lang, api, tenant, onExpired }: { pt: PT; lang: Lang; api: PagesApi; tenant: string; onExpired: (e: unknown) => void }) {
  const t = useMemo(() => settingsTranslator(lang), [lang]);
  const [saved, setSaved] = useState<WidgetSettings | null>(null);
  const [draft, setDraft] = useState<WidgetSettings | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [notice, setNotice] = useState<Notice>(null);
  const [changed, setChanged] = useState(false);
  const [busy, setBusy] = useState(false);
  const [previewLang, setPreviewLang] = useState<"en" | "zh">(lang === "zh" ? "zh" : "en");

  const load = useCallback(async () => {
    try {
      const { settings, etag } = await api.widget();
      setSaved(settings);
      setDraft(settings);
      setEtag(etag);
      setErrors({});
      setChanged(false);
      setLoadError(null);
    } catch (e) {
      if ((e as ApiError).status === 401) return onExpired(e);
      setLoadError((e as Error).message);
    }
  }, [api, onExpired]);
  useEffect(() => {
    void load();
  }, [load]);

  const dirty = !!draft && JSON.stringify(draft) !== JSON.stringify(saved);
  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = t("widget.leave");
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty, t]);

  const edit = (change: (d: WidgetSettings) => WidgetSettings) => setDraft((d) => (d ? change(d) : d));

  const save = async () => {
    if (!draft) return;
    setBusy(true);
    setErrors({});
    setNotice(null);
    try {
      const answer = await api.putWidget({ ...draft, logo: draft.logo?.trim() ? draft.logo.trim() : null }, etag);
      setSaved(answer.settings);
      setDraft(answer.settings);
      setEtag(answer.etag);
      setNotice({ kind: "ok", text: t("widget.saved") });
    } catch (e) {
      const status = (e as ApiError).status;
      if (status === 401) return onExpired(e);
      if (status === 412) setChanged(true);
      else {
        setErrors(fieldErrors(e));
        setNotice({ kind: "error", text: status === 422 ? t("widget.invalid") : problemText(e) });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="ppage widget-page" aria-labelledby="widget-title">
      <div className="ppage-head sticky">
        <div className="ppage-title">
          <h2 id="widget-title">{t("widget.title")}</h2>
          <p className="help">{t("widget.lead")}</p>
        </div>
        <div className="ppage-actions">
          {dirty && <span className="dirty-mark is-dirty">{t("widget.unsaved")}</span>}
          <button type="button" onClick={() => setDraft(saved)} disabled={!dirty || busy}>
            {t("widget.revert")}
          </button>
          <button type="button" className="primary" onClick={() => void save()} disabled={!dirty || busy}>
            {busy ? t("widget.saving") : t("widget.save")}
          </button>
        </div>
        {/* In the sticky head: a save's outcome is seen wherever the form is scrolled to. */}
        {changed && <ChangedBanner text={t("widget.changed")} reload={t("widget.reload")} onReload={() => void load()} />}
        <NoticeLine notice={notice} onClose={() => setNotice(null)} t={pt} />
      </div>
      {loadError && <p className="load-error">{pt("common.loadFailed", { message: loadError })}</p>}
      {!draft && !loadError && <p className="loading">{pt("common.loading")}</p>}
      {draft && (
        <div className="widget-grid">
          <div className="widget-form">
            <LookCard t={t} draft={draft} errors={errors} edit={edit} />
            <WordsCard t={t} draft={draft} errors={errors} edit={edit} />
            <PreChatCard t={t} draft={draft} errors={errors} edit={edit} />
            <OriginsCard t={t} draft={draft} errors={errors} edit={edit} />
            {errors[""] && (
              <p className="field-problem" role="alert">
                {errors[""]}
              </p>
            )}
          </div>
          <div className="widget-side">
            <Preview t={t} tenant={tenant} draft={draft} lang={previewLang} onLang={setPreviewLang} />
            <Embed t={t} tenant={tenant} />
          </div>
        </div>
      )}
    </section>
  );
}

type CardProps = { t: ST; draft: WidgetSettings; errors: FieldErrors; edit: (change: (d: WidgetSettings) => WidgetSettings) => void };

function LookCard({ t, draft, errors, edit }: CardProps) {
  return (
    <fieldset className="card pcard">
      <legend>{t("widget.look")}</legend>
      <div className="pfield-pair">
        <Field label={t("widget.color")}>
          {(p) => <input {...p} type="color" className="color-swatch" value={pickerColor(draft.color)} onChange={(e) => edit((d) => ({ ...d, color: e.target.value }))} />}
        </Field>
        <Field label={t("widget.colorHex")} help={t("widget.colorHelp")} error={errors.color}>
          {(p) => <input {...p} type="text" spellCheck={false} value={draft.color} onChange={(e) => edit((d) => ({ ...d, color: e.target.value.trim() }))} />}
        </Field>
      </div>
      <Field label={t("widget.logo")} help={t("widget.logoHelp")} error={errors.logo}>
        {(p) => <input {...p} type="text" inputMode="url" spellCheck={false} value={draft.logo ?? ""} placeholder="https://" onChange={(e) => edit((d) => ({ ...d, logo: e.target.value || null }))} />}
      </Field>
      <div className="pform-row">
        <Field label={t("widget.position")} error={errors.position}>
          {(p) => (
            <select {...p} value={draft.position} onChange={(e) => edit((d) => ({ ...d, position: e.target.value as WidgetSettings["position"] }))}>
              <option value="right">{t("widget.right")}</option>
              <option value="left">{t("widget.left")}</option>
            </select>
          )}
        </Field>
        <Field label={t("widget.defaultLanguage")} help={t("widget.defaultLanguageHelp")} error={errors.default_language}>
          {(p) => (
            <select {...p} value={draft.default_language} onChange={(e) => edit((d) => ({ ...d, default_language: e.target.value as WidgetSettings["default_language"] }))}>
              {kLangs.map((l) => (
                <option key={l} value={l}>
                  {t(`widget.lang.${l}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
    </fieldset>
  );
}

function WordsCard({ t, draft, errors, edit }: CardProps) {
  const set = (l: "en" | "zh", key: "title" | "greeting" | "offline_message", value: string) =>
    edit((d) => ({ ...d, texts: { ...d.texts, [l]: { ...d.texts[l], [key]: value } } }));
  return (
    <fieldset className="card pcard">
      <legend>{t("widget.words")}</legend>
      <p className="help">{t("widget.wordsLead")}</p>
      <div className="pform-row">
        {kLangs.map((l) => {
          const name = t(`widget.lang.${l}`);
          return (
            <div key={l} className="words-col" lang={l === "zh" ? "zh-CN" : "en"}>
              <h4>{name}</h4>
              <Field label={t("widget.titleField", { lang: name })} error={errors[`texts.${l}.title`]}>
                {(p) => <input {...p} type="text" value={draft.texts[l]?.title ?? ""} onChange={(e) => set(l, "title", e.target.value)} />}
              </Field>
              <Field label={t("widget.greeting", { lang: name })} error={errors[`texts.${l}.greeting`]}>
                {(p) => <textarea {...p} rows={3} value={draft.texts[l]?.greeting ?? ""} onChange={(e) => set(l, "greeting", e.target.value)} />}
              </Field>
              <Field label={t("widget.offline", { lang: name })} help={t("widget.offlineHelp")} error={errors[`texts.${l}.offline_message`]}>
                {(p) => <textarea {...p} rows={2} value={draft.texts[l]?.offline_message ?? ""} onChange={(e) => set(l, "offline_message", e.target.value)} />}
              </Field>
            </div>
          );
        })}
      </div>
    </fieldset>
  );
}

function PreChatCard({ t, draft, errors, edit }: CardProps) {
  const fieldsError = Object.entries(errors).find(([k]) => k.startsWith("pre_chat.fields"))?.[1];
  const toggle = (f: PreChatField, on: boolean) =>
    edit((d) => {
      const chosen = new Set(d.pre_chat.fields);
      if (on) chosen.add(f);
      else chosen.delete(f);
      return { ...d, pre_chat: { ...d.pre_chat, fields: kFields.filter((x) => chosen.has(x)) } };
    });
  return (
    <fieldset className="card pcard">
      <legend>{t("widget.preChat")}</legend>
      <label className="check">
        <input type="checkbox" checked={draft.pre_chat.enabled} onChange={(e) => edit((d) => ({ ...d, pre_chat: { ...d.pre_chat, enabled: e.target.checked } }))} />
        {t("widget.preChatOn")}
      </label>
      <div className={"pfield" + (fieldsError ? " has-error" : "")} role="group" aria-label={t("widget.preChatFields")}>
        <span className="pfield-label">{t("widget.preChatFields")}</span>
        <div className="check-row">
          {kFields.map((f) => (
            <label key={f} className="check">
              <input type="checkbox" disabled={!draft.pre_chat.enabled} checked={draft.pre_chat.fields.includes(f)} onChange={(e) => toggle(f, e.target.checked)} />
              {t(`widget.field.${f}`)}
            </label>
          ))}
        </div>
        {fieldsError && (
          <span className="field-problem" role="alert">
            {fieldsError}
          </span>
        )}
      </div>
    </fieldset>
  );
}

function OriginsCard({ t, draft, errors, edit }: CardProps) {
  const origins = draft.allowed_origins;
  const set = (list: string[]) => edit((d) => ({ ...d, allowed_origins: list }));
  return (
    <fieldset className="card pcard">
      <legend>{t("widget.origins")}</legend>
      <p className="help">{t("widget.originsLead")}</p>
      {origins.length === 0 && <p className="muted">{t("widget.noOrigins")}</p>}
      <ul className="plist">
        {origins.map((origin, i) => (
          <li key={i} className="plist-row">
            <Field label={t("widget.origin", { n: i + 1 })} error={errors[`allowed_origins[${i}]`]}>
              {(p) => (
                <input
                  {...p}
                  type="text"
                  inputMode="url"
                  spellCheck={false}
                  placeholder={t("widget.originPlaceholder")}
                  value={origin}
                  onChange={(e) => set(origins.map((o, j) => (j === i ? e.target.value.trim() : o)))}
                />
              )}
            </Field>
            <button type="button" className="link danger" aria-label={t("widget.removeOrigin", { n: i + 1 })} onClick={() => set(origins.filter((_, j) => j !== i))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      {errors.allowed_origins && (
        <p className="field-problem" role="alert">
          {errors.allowed_origins}
        </p>
      )}
      <button type="button" onClick={() => set([...origins, ""])}>
        + {t("widget.addOrigin")}
      </button>
    </fieldset>
  );
}

// The real chat frame in preview mode: it draws whatever settings this page
// sends it, from this origin to its window only.
function Preview({ t, tenant, draft, lang, onLang }: { t: ST; tenant: string; draft: WidgetSettings; lang: "en" | "zh"; onLang: (l: "en" | "zh") => void }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    const onMessage = (e: MessageEvent) => {
      if (e.source === frame.current?.contentWindow && e.origin === location.origin && e.data?.switchboard === "ready") setReady(true);
    };
    window.addEventListener("message", onMessage);
    return () => window.removeEventListener("message", onMessage);
  }, []);
  useEffect(() => {
    if (ready) frame.current?.contentWindow?.postMessage({ switchboard: "preview", settings: draft, lang }, location.origin);
  }, [ready, draft, lang]);
  const src = `/widget/?tenant=${encodeURIComponent(tenant)}&origin=${encodeURIComponent(location.origin)}&preview=1`;
  return (
    <div className="card pcard widget-preview">
      <div className="preview-head">
        <h3>{t("widget.preview")}</h3>
        <select aria-label={t("widget.previewLang")} value={lang} onChange={(e) => onLang(e.target.value as "en" | "zh")}>
          {kLangs.map((l) => (
            <option key={l} value={l}>
              {t(`widget.lang.${l}`)}
            </option>
          ))}
        </select>
      </div>
      <p className="help small">{t("widget.previewNote")}</p>
      <div className={`preview-stage side-${draft.position === "left" ? "left" : "right"}`}>
        <iframe ref={frame} title={t("widget.previewFrame")} src={src} className="preview-frame" />
        <div className="preview-launcher" role="img" aria-label={t("widget.launcher")} style={{ background: pickerColor(draft.color) }}>
          <svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" focusable="false">
            <path d="M4 5h16v11H8l-4 4z" fill="none" stroke="#fff" strokeWidth="2" strokeLinejoin="round" />
          </svg>
        </div>
      </div>
    </div>
  );
}

function Embed({ t, tenant }: { t: ST; tenant: string }) {
  const code = embedSnippet(location.origin, tenant);
  const box = useRef<HTMLTextAreaElement>(null);
  const [status, setStatus] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setStatus(t("widget.copied"));
    } catch {
      // Without clipboard access: the code selected, for Ctrl+C.
      box.current?.select();
      setStatus(document.execCommand?.("copy") ? t("widget.copied") : t("widget.copyFailed"));
    }
  };
  return (
    <div className="card pcard">
      <h3>{t("widget.embed")}</h3>
      <p className="help small">{t("widget.embedLead")}</p>
      <textarea ref={box} className="embed-code" readOnly rows={3} aria-label={t("widget.embedCode")} value={code} onFocus={(e) => e.target.select()} />
      <div className="row">
        <button type="button" className="primary" onClick={() => void copy()}>
          {t("widget.copy")}
        </button>
        <span role="status" className="muted small">
          {status}
        </span>
      </div>
    </div>
  );
}
