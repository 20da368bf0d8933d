import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { languageName } from "../../shared/i18n";
import { checkTag, type TagProblem } from "../model/tags";
import type { Conv } from "../model/types";
import { useApp } from "./context";
import { formatTime, RichText } from "./RichText";

// On narrow screens the panel is hidden until the header's "Visitor details" opens it.
export function VisitorPanel({ conv, open }: { conv: Conv; open: boolean }) {
  const [state, store] = useApp();
  const t = store.t;
  const v = conv.visitor;
  const { page, lang, ...attributes } = v.meta;
  const earlier = (state.earlier[v.id] ?? []).filter((c) => c.id !== conv.id);
  const [newTag, setNewTag] = useState("");
  const [tagProblem, setTagProblem] = useState<Exclude<TagProblem, "empty"> | null>(null);

  // Refused here, in the console's language, rather than sent for the server to
  // refuse (or, within its 64 bytes, to keep a sentence as a tag).
  function addTag(e: Event) {
    e.preventDefault();
    const check = checkTag(newTag, conv.tags);
    if (!check.ok) {
      if (check.problem !== "empty") setTagProblem(check.problem);
      return;
    }
    setTagProblem(null);
    store.tag(conv.id, { add: [check.tag] });
    setNewTag("");
  }
  const problemText = { tooLong: t("tagTooLong"), badChars: t("tagBadChars"), tooMany: t("tagTooMany") };

  return (
    <aside class={`visitor-panel ${open ? "open" : ""}`} aria-label={t("visitorDetails")}>
      <h3>{t("visitorDetails")}</h3>
      <dl class="facts">
        <dt>{t("name")}</dt>
        <dd>{v.name || "—"}</dd>
        <dt>{t("email")}</dt>
        <dd>{v.email ? <a href={`mailto:${v.email}`}>{v.email}</a> : "—"}</dd>
        <dt>{t("page")}</dt>
        <dd class="break">{typeof page === "string" && page ? <RichText text={page} /> : "—"}</dd>
        <dt>{t("lang")}</dt>
        <dd title={typeof lang === "string" ? lang : undefined}>{typeof lang === "string" && lang.trim() ? languageName(lang, state.lang) : "—"}</dd>
        <dt>{t("started")}</dt>
        <dd>{formatTime(conv.created_at, state.lang)}</dd>
        {conv.csat && (
          <>
            <dt>{t("rating")}</dt>
            <dd>
              {"★".repeat(conv.csat.score)}
              {"☆".repeat(5 - conv.csat.score)} {conv.csat.comment}
            </dd>
          </>
        )}
      </dl>
      {Object.keys(attributes).length > 0 && (
        <>
          <h4>{t("attributes")}</h4>
          <dl class="facts attributes">
            {Object.entries(attributes).map(([k, value]) => (
              <Fragment key={k}>
                <dt>{k}</dt>
                <dd>{String(value)}</dd>
              </Fragment>
            ))}
          </dl>
        </>
      )}
      <h4>{t("tags")}</h4>
      <ul class="tags" aria-label={t("tags")}>
        {conv.tags.map((tag) => (
          <li key={tag} class="tag-chip">
            {tag}
            <button class="chip-remove" aria-label={t("removeTag", { tag })} onClick={() => store.tag(conv.id, { remove: [tag] })}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <form class="tag-form" onSubmit={addTag}>
        <input
          aria-label={t("addTag")}
          placeholder={t("addTag")}
          value={newTag}
          aria-invalid={tagProblem ? "true" : undefined}
          aria-describedby={tagProblem ? `tag-problem-${conv.id}` : undefined}
          onInput={(e) => {
            setNewTag(e.currentTarget.value);
            if (tagProblem) setTagProblem(null);
          }}
        />
        <button type="submit">{t("addTagButton")}</button>
      </form>
      {tagProblem && (
        <p class="form-error tag-problem" role="alert" id={`tag-problem-${conv.id}`}>
          {problemText[tagProblem]}
        </p>
      )}
      <h4>{t("earlier")}</h4>
      {earlier.length === 0 ? (
        <p class="muted">{t("noEarlier")}</p>
      ) : (
        <ul class="earlier" aria-label={t("earlier")}>
          {earlier.map((c) => (
            <li key={c.id}>
              <button class="link-button" onClick={() => store.openRecord(c)}>
                {formatTime(c.created_at, state.lang)}
              </button>{" "}
              <span class={`status-pill small status-${c.status}`}>{c.status}</span>
            </li>
          ))}
        </ul>
      )}
    </aside>
  );
}
