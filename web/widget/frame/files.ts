// Files the visitor sends: checked against the tenant's limits before uploading
// (the server checks again, from the bytes), uploaded with progress, and fetched
// back with the visitor's token to be shown from blob: URLs.
import type { Attachment } from "./state";

export type Refusal = { reason: "disabled" } | { reason: "too_large"; limit: string } | { reason: "type" };

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

// Why a file cannot be sent, or null. An unknown browser type is left to the server.
export function checkFile(file: { size: number; type: string }, limits: { enabled: boolean; max_bytes: number; allowed_types: string[] }): Refusal | null {
  if (!limits.enabled) return { reason: "disabled" };
  if (file.size > limits.max_bytes) return { reason: "too_large", limit: formatBytes(limits.max_bytes) };
  if (file.type && limits.allowed_types.length && !limits.allowed_types.includes(file.type.toLowerCase())) return { reason: "type" };
  return null;
}

// Why the server refused a file: its error code ("network" when it could not be
// reached), and its message, for the browser's log only (English, for operators).
export interface UploadError {
  status: number;
  code: string;
  message: string;
}

// POST /v1/tenants/ID/attachments with the raw bytes; progress 0..100.
export function upload(tenant: string, token: string, file: File, onProgress: (percent: number) => void): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/v1/tenants/${encodeURIComponent(tenant)}/attachments`);
    xhr.setRequestHeader("Authorization", "Bearer " + token);
    xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name || "file"));
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100));
    };
    xhr.onload = () => {
      let body: any = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status === 201 && body && typeof body.id === "string") {
        resolve({ id: body.id, name: String(body.name ?? file.name), content_type: String(body.content_type ?? file.type), size: Number(body.size ?? file.size), thumbnail: body.thumbnail === true });
        return;
      }
      reject({ status: xhr.status, code: String(body?.error?.code ?? `http_${xhr.status}`), message: body?.error?.message ?? (xhr.statusText || `HTTP ${xhr.status}`) } satisfies UploadError);
    };
    xhr.onerror = () => reject({ status: 0, code: "network", message: "network error" } satisfies UploadError);
    xhr.send(file);
  });
}

// The file (or its thumbnail) as a blob: URL. Anything but an image gets a neutral
// type, so opening the URL downloads it instead of rendering it.
export async function fetchBlobUrl(tenant: string, token: string, attachment: Attachment, thumbnail: boolean): Promise<string> {
  const url = `/v1/tenants/${encodeURIComponent(tenant)}/attachments/${encodeURIComponent(attachment.id)}${thumbnail ? "/thumbnail" : ""}`;
  const response = await fetch(url, { headers: { Authorization: "Bearer " + token } });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  const blob = await response.blob();
  const image = /^image\/(png|jpeg|gif|webp)$/.test(blob.type);
  return URL.createObjectURL(image ? blob : new Blob([blob], { type: "application/octet-stream" }));
}
