// Sign in with a token; "my servables" (private ones included); publish (a servable, or a
// pipeline built on the page); publish jobs with logs.
import { useEffect, useState } from "preact/hooks";
import { api, errorText, getToken, ok, setToken } from "./api/client";
import type { Summary } from "./api/types";
import { startUrl } from "./globus";
import { PipelineBuilder, publishForm } from "./PipelineBuilder";
import { servableHref } from "./route";

export interface Who {
  username: string;
  anonymous: boolean;
}

/** GET /api/v1/sign-in: the gateway's identity provider (local tokens or Globus Auth). */
interface SignInInfo {
  provider: string;
  scope?: string | null;
  start?: string | null;
}

export function SignIn({ who, signInError = "", onChange }: { who: Who | null; signInError?: string; onChange: () => void }) {
  const [token, setText] = useState("");
  const [error, setError] = useState(signInError);
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
          <>
            <button
              type="button"
              onClick={() => {
                if (info.start) location.assign(startUrl(info.start));
                else setGlobus(true); // an older gateway: paste a token
              }}
            >
              Sign in with Globus
            </button>{" "}
            <button type="button" onClick={() => setGlobus(true)}>
              Paste a Globus token instead
            </button>
          </>
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
      ) : info?.provider === "globus" ? (
        <p class="muted" data-testid="globus-start-help">
          Sign in at Globus with your institution, ORCID or Google identity; you come back here signed in. The token is kept for this tab only.
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

/** One row of GET /api/v1/publish-jobs (the list leaves the log out). */
interface Job {
  id: string;
  state: string;
  servable: { owner: string; name: string; version: number } | null;
  started_at: string;
  error_code: string | null;
  log: string[];
}

function PublishJob({ id, listed }: { id: string; listed?: Job }) {
  const [job, setJob] = useState<Job | null>(listed ?? null);
  const [log, setLog] = useState<string[] | null>(null);
  const [error, setError] = useState("");
  const load = () =>
    api
      .GET("/api/v1/publish-jobs/{publish_id}", { params: { path: { publish_id: id } } })
      .then((r) => {
        const full = ok(r) as unknown as Job;
        setJob(full);
        setLog(full.log);
      })
      .catch((e: unknown) => setError(errorText(e)));
  useEffect(() => {
    if (!listed) void load();
  }, [id]);
  const ref = job?.servable;
  return (
    <li class="job" data-testid="publish-job">
      <code>{id}</code> {job && <span class={`state state-${job.state.toLowerCase()}`}>{job.state}</span>}
      {ref && (
        <span class="muted">
          {" "}
          {ref.owner}/{ref.name} v{ref.version}
        </span>
      )}
      {job?.error_code && <span class="error"> {job.error_code}</span>}
      {job && <span class="muted"> · {job.started_at}</span>}
      {error && <span class="error"> {error}</span>}
      <details
        onToggle={(e) => {
          if ((e.currentTarget as HTMLDetailsElement).open && log === null) void load();
        }}
      >
        <summary>Log</summary>
        <pre>{log === null ? "loading…" : log.join("\n")}</pre>
      </details>
    </li>
  );
}

/** The caller's own publish jobs, newest first (GET /api/v1/publish-jobs), failed ones included. */
function PublishJobs({ refresh }: { refresh: number }) {
  const [jobs, setJobs] = useState<Job[]>([]);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState("");
  useEffect(() => {
    api
      .GET("/api/v1/publish-jobs", { params: { query: { limit: 20 } } })
      .then((r) => {
        const body = ok(r) as unknown as { jobs: Job[]; total: number };
        setJobs(body.jobs);
        setTotal(body.total);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, [refresh]);
  return (
    <>
      {error && <p class="error">{error}</p>}
      {jobs.length === 0 && !error && <p class="muted">No publishes yet.</p>}
      <ul class="jobs" data-testid="my-jobs">
        {jobs.map((j) => (
          <PublishJob key={j.id} id={j.id} listed={j} />
        ))}
      </ul>
      {total > jobs.length && (
        <p class="muted">
          the newest {jobs.length} of {total} (dlhub publish-jobs --offset shows the rest)
        </p>
      )}
    </>
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

export function AccountPage({ who, signInError, onChange }: { who: Who | null; signInError?: string; onChange: () => void }) {
  const [looked, setLooked] = useState<string[]>([]);
  const [lookup, setLookup] = useState("");
  const [refresh, setRefresh] = useState(0);
  const published = () => setRefresh((n) => n + 1);
  const signedIn = who && !who.anonymous;
  return (
    <div class="account">
      <SignIn who={who} signInError={signInError} onChange={onChange} />
      {signedIn && <MyServables who={who} />}
      {signedIn && <Publish onPublished={published} />}
      {signedIn && <PipelineBuilder username={who.username} token={getToken()} onPublished={published} />}
      {signedIn && (
        <section class="card">
          <h2>Publish jobs</h2>
          <PublishJobs refresh={refresh} />
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const id = lookup.trim();
              if (id) setLooked([id, ...looked.filter((j) => j !== id)]);
            }}
          >
            <label for="job-id">Publish id</label>
            <input id="job-id" value={lookup} onInput={(e) => setLookup(e.currentTarget.value)} />
            <button type="submit">Show</button>
          </form>
          <ul class="jobs">
            {looked.map((id) => (
              <PublishJob key={id} id={id} />
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
