/** @jsxImportSource react */
// The Knowledge page's "try it" box: a question for the tenant's bot (POST
// …/bot/try), answered as a first visitor message would be, with nothing kept and no
// LLM called. It shows the reply, the stage and entry that answered with their
// confidence, the intent, the closest knowledge entries and every stage's part.
// Everything from the server (replies, entries, reasons) is rendered as text.
import { FormEvent, useId, useState } from "react";
import { ApiError, Session, base, call, failure } from "../api";
import { BT, BotKey } from "./botText";
import "./bot.css";

export type TrialStage = { stage: string; kind: "autoreply" | "llm"; status: string; score?: number; source?: string; error?: string };
export type TrialAnswer = {
  outcome: "answered" | "handoff" | "close" | "llm";
  replies: { text: string; quick_replies: string[] }[];
  answered_by: { stage: string; score?: number; source?: string } | null;
  intent: { name: string; confidence?: number } | null;
  candidates: { id: string; question: string; answer: string; score: number; source: string }[];
  handoff?: { reason: string; group: string };
  stages: TrialStage[];
};

export async function tryBot(session: Session, text: string, language: string): Promise<TrialAnswer> {
  const body: { text: string; language?: string } = { text };
  if (language) body.language = language;
  const { response, json } = await call("POST", `${base(session.tenant)}/bot/try`, { session, body });
  if (!response.ok) throw failure(response.status, json);
  return json as TrialAnswer;
}

// "demo/faq.toml#shipping-time" -> "shipping-time"; a flow node stays as it is.
export const entryOf = (source: string | undefined) => (source ? source.replace(/^.*#/, "") : "");
export const percent = (score: number | undefined) => (typeof score === "number" ? `${Math.round(score * 100)}%` : "");

function Confidence({ score, label }: { score: number | undefined; label: string }) {
  if (typeof score !== "number") return null;
  return (
    <span className="try-confidence">
      <meter min={0} max={1} value={score} aria-label={label} />
      <span>{percent(score)}</span>
    </span>
  );
}

export function BotTry({ t, session, onExpired }: { t: BT; session: Session; onExpired: (e: unknown) => void }) {
  const [question, setQuestion] = useState("");
  const [language, setLanguage] = useState("");
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<TrialAnswer | null>(null);
  const [asked, setAsked] = useState("");
  const [error, setError] = useState<string | null>(null);
  const id = useId();

  const ask = async (e: FormEvent) => {
    e.preventDefault();
    const text = question.trim();
    if (!text) return;
    setBusy(true);
    setError(null);
    // The last answer goes while the next is asked, so it never reads as this one's.
    setAnswer(null);
    try {
      setAnswer(await tryBot(session, text, language));
      setAsked(text);
    } catch (err) {
      const a = err as ApiError;
      if (a.status === 401) return onExpired(err);
      setAnswer(null);
      setError(a.status === 404 ? t("try.noBot") : t("try.failed", { message: a.message }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card try-box" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>{t("try.title")}</h3>
      <p className="help">{t("try.lead")}</p>
      <form className="try-form" onSubmit={ask}>
        <div className="pfield try-question">
          <label htmlFor={`${id}-q`}>{t("try.question")}</label>
          <input id={`${id}-q`} type="text" value={question} maxLength={4000} placeholder={t("try.placeholder")} onChange={(e) => setQuestion(e.target.value)} />
        </div>
        <div className="pfield">
          <label htmlFor={`${id}-lang`}>{t("try.language")}</label>
          <select id={`${id}-lang`} value={language} onChange={(e) => setLanguage(e.target.value)}>
            <option value="">{t("try.auto")}</option>
            <option value="en">{t("try.en")}</option>
            <option value="zh">{t("try.zh")}</option>
          </select>
        </div>
        <button type="submit" className="primary" disabled={busy || !question.trim()}>
          {busy ? t("try.asking") : t("try.ask")}
        </button>
      </form>
      {error && (
        <p className="field-problem" role="alert">
          {error}
        </p>
      )}
      <div aria-live="polite">{answer && <TrialResult t={t} answer={answer} asked={asked} />}</div>
    </section>
  );
}

function TrialResult({ t, answer, asked }: { t: BT; answer: TrialAnswer; asked: string }) {
  const by = answer.answered_by;
  return (
    <div className="try-result" role="region" aria-label={t("try.result")} data-question={asked}>
      <p className={`try-outcome outcome-${answer.outcome}`}>{t(`try.outcome.${answer.outcome}` as BotKey)}</p>
      {answer.outcome === "llm" && <p className="help">{t("try.llmNote")}</p>}
      <dl className="try-facts">
        <dt>{t("try.reply")}</dt>
        <dd>
          {answer.replies.length === 0 && <span className="muted">{t("try.noReply")}</span>}
          {answer.replies.map((r, i) => (
            <div key={i} className="try-reply">
              <p className="try-reply-text">{r.text}</p>
              {r.quick_replies.length > 0 && (
                <ul className="try-quick" aria-label={t("try.quick")}>
                  {r.quick_replies.map((q) => (
                    <li key={q} className="pill">
                      {q}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          ))}
        </dd>
        {by && (
          <>
            <dt>{t("try.answeredBy")}</dt>
            <dd className="try-answered-by">
              <code>{by.stage}</code>
              {by.source && (
                <>
                  {" · "}
                  {t("try.entry")} <code className="try-entry">{entryOf(by.source)}</code>
                </>
              )}
              <Confidence score={by.score} label={t("try.confidence")} />
            </dd>
          </>
        )}
        <dt>{t("try.intent")}</dt>
        <dd className="try-intent">
          {answer.intent ? (
            <>
              <code>{answer.intent.name}</code>
              <Confidence score={answer.intent.confidence} label={`${t("try.intent")} ${t("try.confidence")}`} />
            </>
          ) : (
            <span className="muted">{t("try.noIntent")}</span>
          )}
        </dd>
        {answer.handoff && (
          <>
            <dt>{t("try.outcome.handoff")}</dt>
            <dd>
              {t("try.handoffReason", { reason: answer.handoff.reason })}
              {answer.handoff.group && ` · ${t("try.handoffGroup", { group: answer.handoff.group })}`}
            </dd>
          </>
        )}
      </dl>
      {answer.candidates.length > 0 && (
        <table className="ptable try-candidates">
          <caption>{t("try.candidates")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("try.candidate.entry")}</th>
              <th scope="col">{t("try.candidate.question")}</th>
              <th scope="col">{t("try.candidate.score")}</th>
            </tr>
          </thead>
          <tbody>
            {answer.candidates.map((c) => (
              <tr key={c.source || c.id}>
                <td>
                  <code>{c.id}</code>
                </td>
                <td>{c.question}</td>
                <td className="num">{percent(c.score)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ol className="try-stages" aria-label={t("try.stages")}>
        {answer.stages.map((s) => (
          <li key={s.stage} className={`try-stage status-${s.status}`}>
            <code>{s.stage}</code> <span className="try-stage-status">{t(`try.status.${s.status}` as BotKey)}</span>
            {s.source && <span className="muted"> · {s.source}</span>}
            {typeof s.score === "number" && <span className="muted"> · {percent(s.score)}</span>}
            {s.error && <span className="field-problem"> · {s.error}</span>}
          </li>
        ))}
      </ol>
    </div>
  );
}
