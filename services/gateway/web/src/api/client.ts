// The HTTP API client: typed by schema.d.ts, which openapi-typescript generates from
// the gateway's OpenAPI document (`make web-api`). The token, when signed in, is sent
// as a bearer token on every call; errors come back as the API states them.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";

const TOKEN_KEY = "dlhub.token";

export function getToken(): string {
  return sessionStorage.getItem(TOKEN_KEY) ?? "";
}

export function setToken(token: string): void {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

const auth: Middleware = {
  onRequest({ request }) {
    const token = getToken();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: "" });
api.use(auth);

/** An error body as every route answers it: {error, code, details}. */
export interface ApiError {
  error: string;
  code: string;
  details?: Record<string, unknown>;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: ApiError,
  ) {
    super(body.error);
  }
}

/** The data of an openapi-fetch result, or an ApiFailure carrying the API's own words. */
export function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const e = result.error as Partial<ApiError> | undefined;
    throw new ApiFailure(result.response.status, {
      error: e?.error ?? `HTTP ${result.response.status} ${result.response.statusText}`,
      code: e?.code ?? "UNKNOWN",
      details: e?.details,
    });
  }
  return result.data as T;
}

/** Routes answering text or bytes (citations, stats where present): a plain fetch. */
export async function fetchText(url: string): Promise<string> {
  const headers: Record<string, string> = {};
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(url, { headers });
  const text = await r.text();
  if (!r.ok) {
    let body: ApiError = { error: text || `HTTP ${r.status}`, code: "UNKNOWN" };
    try {
      body = JSON.parse(text) as ApiError;
    } catch {
      /* not JSON: keep the text */
    }
    throw new ApiFailure(r.status, body);
  }
  return text;
}

export function errorText(e: unknown): string {
  if (e instanceof ApiFailure) return `${e.status} ${e.body.code}: ${e.body.error}`;
  return e instanceof Error ? e.message : String(e);
}

/** Download with the token (a plain link would carry none, so private files 404). */
export async function download(url: string, filename: string): Promise<void> {
  const headers: Record<string, string> = {};
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(url, { headers });
  if (!r.ok) {
    const body = (await r.json().catch(() => ({}))) as Partial<ApiError>;
    throw new ApiFailure(r.status, { error: body.error ?? `HTTP ${r.status}`, code: body.code ?? "UNKNOWN" });
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await r.blob());
  link.download = filename;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}
