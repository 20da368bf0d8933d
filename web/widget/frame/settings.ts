// The tenant's widget settings: GET /v1/tenants/ID/widget, with defaults for
// anything missing (and for a server that does not serve them).
import type { Lang } from "../../shared/i18n";

export interface TenantTexts {
  title?: string;
  greeting?: string;
  offline_message?: string;
}

export interface WidgetSettings {
  tenant: string;
  color: string;
  logo: string | null;
  position: "left" | "right";
  default_language: Lang;
  texts: Partial<Record<Lang, TenantTexts>>;
  pre_chat: { enabled: boolean; fields: ("name" | "email" | "question")[] };
  attachments: { enabled: boolean; max_bytes: number; allowed_types: string[] };
  available: boolean;
  agents_online: boolean;
}

export function defaultSettings(tenant: string): WidgetSettings {
  return {
    tenant,
    color: "#2f6fed",
    logo: null,
    position: "right",
    default_language: "en",
    texts: {},
    pre_chat: { enabled: false, fields: [] },
    attachments: { enabled: true, max_bytes: 10 * 1024 * 1024, allowed_types: ["image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"] },
    available: true,
    agents_online: false,
  };
}

const kColor = /^#[0-9a-f]{3}([0-9a-f]{3})?$/i;

// Keeps only values of the right shape, so a surprising answer cannot break the UI.
export function readSettings(tenant: string, raw: unknown): WidgetSettings {
  const s = defaultSettings(tenant);
  if (!raw || typeof raw !== "object") return s;
  const r = raw as Record<string, any>;
  if (typeof r.color === "string" && kColor.test(r.color)) s.color = r.color;
  if (typeof r.logo === "string" && /^(https:\/\/|\/|data:image\/)/.test(r.logo)) s.logo = r.logo;
  if (r.position === "left" || r.position === "right") s.position = r.position;
  if (r.default_language === "en" || r.default_language === "zh") s.default_language = r.default_language;
  if (r.texts && typeof r.texts === "object") {
    for (const lang of ["en", "zh"] as const) {
      const t = r.texts[lang];
      if (!t || typeof t !== "object") continue;
      const out: TenantTexts = {};
      for (const key of ["title", "greeting", "offline_message"] as const) if (typeof t[key] === "string" && t[key]) out[key] = t[key];
      s.texts[lang] = out;
    }
  }
  if (r.pre_chat && typeof r.pre_chat === "object") {
    s.pre_chat.enabled = r.pre_chat.enabled === true;
    if (Array.isArray(r.pre_chat.fields)) s.pre_chat.fields = r.pre_chat.fields.filter((f: unknown) => f === "name" || f === "email" || f === "question");
  }
  if (r.attachments && typeof r.attachments === "object") {
    const a = r.attachments;
    if (typeof a.enabled === "boolean") s.attachments.enabled = a.enabled;
    if (typeof a.max_bytes === "number" && a.max_bytes > 0) s.attachments.max_bytes = a.max_bytes;
    if (Array.isArray(a.allowed_types)) s.attachments.allowed_types = a.allowed_types.filter((x: unknown) => typeof x === "string");
  }
  if (typeof r.available === "boolean") s.available = r.available;
  if (typeof r.agents_online === "boolean") s.agents_online = r.agents_online;
  return s;
}

export async function fetchSettings(tenant: string): Promise<WidgetSettings> {
  try {
    const response = await fetch(`/v1/tenants/${encodeURIComponent(tenant)}/widget`, { cache: "no-cache" });
    if (!response.ok) return defaultSettings(tenant);
    return readSettings(tenant, await response.json());
  } catch {
    return defaultSettings(tenant);
  }
}
