// Sign in with a token; "my servables" (private ones included); publish (a servable, or a
// pipeline built on the page); publish jobs with logs.
import { useEffect, useState } from "preact/hooks";
import { api, errorText, getToken, ok, setToken } from "./api/client";
import type { Summary } from "./api/types";
import { PipelineBuilder, publishForm } from "./PipelineBuilder";
import { servableHref } from "./route";

export interface Who {
  username: string;
  anonymous: boolean;
}

const JOBS_KEY = "dlhub.publish-jobs";

function rememberedJobs(): string[] {
  try {
    return JSON.parse(localStorage.getItem(JOBS_KEY) ?? "[]") as string[];
  } catch {
    return [];
  }
}

/** GET /api/v1/sign-in: the gateway's identity provider (local tokens or Globus Auth). */
interface SignInInfo {
  provider: string;
  scope?: string | null;
}

export function SignIn({ who, onChange }: { who: Who | null; onChange: () => void }) {
  const [token, setText] = useState("");
  const [error, setError] = useState("");
  const [info, setInfo] = useState<SignInInfo | null>(null);
  const [globus, setGlobus] = useState(false);
  useEffect(() => {
    api
      .GET("/api/v1/sign-in")
      .then((r) => setInfo(ok(r) as unknown as SignInInfo))
      .catch(() => setInfo(null)); // an older gateway: the token form only
  }, []);
  if (who && !who.anonymous)
    return (
      <section class="card">
        <h2>Signed in</h2>
        <p>
          as <strong data-testid="username">{who.username}</strong>
        </p>
        <button
          type="button"
          onClick={() => {
            setToken("");
            onChange();
          }}
        >
          Sign out
        </button>
      </section>
    );
  return (
    <section class="card">
      <h2>Sign in</h2>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setError("");
          setToken(token.trim());
          try {
            ok(await api.GET("/api/v1/whoami"));
            onChange();
          } catch (err) {
            setToken("");
            setError(errorText(err));
          }
        }}
      >
        {info?.provider === "globus" && !globus && (
          <button type="button" onClick={() => setGlobus(true)}>
            Sign in with Globus
          </button>
        )}
        {(info?.provider !== "globus" || globus) && (
          <>
            <label for="token">{globus ? "Globus access token" : "Access token"}</label>
            <input id="token" type="password" autoComplete="off" value={token} onInput={(e) => setText(e.currentTarget.value)} placeholder={globus ? "" : "dlh_…"} />
            <button type="submit">Sign in</button>
          </>
        )}
      </form>
      {globus ? (
        <p class="muted" data-testid="globus-help">
          This DLHub checks Globus Auth tokens. Sign in with Globus by running <code>dlhub login</code> (your institution, ORCID or Google identity), then paste the
          access token it saved in <code>~/.config/dlhub/login.json</code> (<code>token</code>); it must grant DLHub's scope <code>{info?.scope}</code>. It is kept for this tab only.
        </p>
      ) : (
        <p class="muted">
          Your token is in <code>.dlhub/client.json</code> (from <code>dlhub up</code>) or from <code>dlhub login</code>. It is kept for this tab only.
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function MyServables({ who }: { who: Who }) {
  const [mine, setMine] = useState<Summary[]>([]);
  const [error, setError] = useState("");
  useEffect(() => {
    api
      .GET("/api/v1/servables", { params: { query: { owner: who.username, page_size: 100 } } })
      .then((r) => setMine((ok(r) as unknown as { servables: Summary[] }).servables))
      .catch((e: unknown) => setError(errorText(e)));
  }, [who.username]);
  return (
    <section class="card">
      <h2>My servables</h2>
      {error && <p class="error">{error}</p>}
      {mine.length === 0 && !error && <p class="muted">None yet.</p>}
      <ul class="mine">
        {mine.map((s) => (
          <li key={`${s.owner}/${s.name}`}>
            <a href={servableHref(s.owner, s.name)}>{s.title || s.name}</a>{" "}
            <span class="muted">
              {s.owner}/{s.name} v{s.version} · {s.state} · {s.visible_to.includes("public") ? "public" : `visible to ${s.visible_to.join(", ") || "you"}`}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

interface Job {
  publish_id: string;
  state: string;
  log?: string;
  error?: string;
  [key: string]: unknown;
}

function PublishJob({ id }: { id: string }) {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    api
      .GET("/api/v1/publish-jobs/{publish_id}", { params: { path: { publish_id: id } } })
      .then((r) => setJob(ok(r) as unknown as Job))
      .catch((e: unknown) => setError(errorText(e)));
  }, [id]);
  return (
    <li class="job">
      <code>{id}</code> {job && <span class={`state state-${job.state.toLowerCase()}`}>{job.state}</span>}
      {error && <span class="error"> {error}</span>}
      {job && (
        <details>
          <summary>Log</summary>
          <pre>{String(job.log ?? JSON.stringify(job, null, 2))}</pre>
        </details>
      )}
    </li>
  );
}

function Publish({ onPublished }: { onPublished: (id: string) => void }) {
  const [error, setError] = useState("");
  const [done, setDone] = useState("");
  return (
    <section class="card">
      <h2>Publish</h2>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          setError("");
          setDone("");
          const body = await publishForm(new FormData(e.currentTarget as HTMLFormElement), getToken());
          if (body.error) setError(body.error);
          else {
            setDone(`published ${body.summary?.owner}/${body.summary?.name} v${body.summary?.version}`);
            if (body.publish_id) onPublished(body.publish_id);
          }
        }}
      >
        <label for="pub-meta">Metadata (JSON)</label>
        <textarea id="pub-meta" name="metadata" rows={5} required />
        <label for="pub-files">Files</label>
        <input id="pub-files" name="files" type="file" multiple />
        <button type="submit">Publish</button>
      </form>
      {done && <p role="status">{done}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

export function AccountPage({ who, onChange }: { who: Who | null; onChange: () => void }) {
  const [jobs, setJobs] = useState<string[]>(rememberedJobs);
  const [lookup, setLookup] = useState("");
  const add = (id: string) => {
    const next = [id, ...jobs.filter((j) => j !== id)].slice(0, 20);
    localStorage.setItem(JOBS_KEY, JSON.stringify(next));
    setJobs(next);
  };
  const signedIn = who && !who.anonymous;
  return (
    <div class="account">
      <SignIn who={who} onChange={onChange} />
      {signedIn && <MyServables who={who} />}
      {signedIn && <Publish onPublished={add} />}
      {signedIn && <PipelineBuilder username={who.username} token={getToken()} onPublished={add} />}
      {signedIn && (
        <section class="card">
          <h2>Publish jobs</h2>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (lookup.trim()) add(lookup.trim());
            }}
          >
            <label for="job-id">Publish id</label>
            <input id="job-id" value={lookup} onInput={(e) => setLookup(e.currentTarget.value)} />
            <button type="submit">Show</button>
          </form>
          <ul class="jobs">
            {jobs.map((id) => (
              <PublishJob key={id} id={id} />
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
