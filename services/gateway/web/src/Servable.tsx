import type * as preact from "preact";
// One servable: title, authors, description, citation (text + BibTeX, DOI link),
// signature table, versions with states, files and bundle, usage statistics, run form.
import { useEffect, useState } from "preact/hooks";
import { api, download, errorText, fetchText, getToken, ok } from "./api/client";
import type { Described, IoSpec, Summary } from "./api/types";
import { Head, Tags } from "./parts";
import { PipelineGraph } from "./Pipeline";
import { RunForm } from "./RunForm";
import { servableHref, type Route } from "./route";
import { describeType, fields } from "./signature";

function base(owner: string, name: string): string {
  return `/api/v1/servables/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
}

function Citation({ owner, name, version, doi }: { owner: string; name: string; version: number; doi: string }) {
  const [text, setText] = useState("");
  const [bibtex, setBibtex] = useState("");
  const [error, setError] = useState("");
  useEffect(() => {
    const v = `version=${version}`;
    Promise.all([fetchText(`${base(owner, name)}/cite?format=text&${v}`), fetchText(`${base(owner, name)}/cite?format=bibtex&${v}`)])
      .then(([t, b]) => {
        setText(t);
        setBibtex(b);
      })
      .catch((e: unknown) => setError(errorText(e)));
  }, [owner, name, version]);
  return (
    <section class="card citation" aria-labelledby="cite-h">
      <h2 id="cite-h">Cite</h2>
      {error && <p class="error">{error}</p>}
      <p class="cite-text">{text}</p>
      {doi && (
        <p>
          DOI: <a href={`https://doi.org/${doi}`}>{doi}</a>
        </p>
      )}
      <details>
        <summary>BibTeX</summary>
        <pre class="bibtex">{bibtex}</pre>
        <button type="button" onClick={() => navigator.clipboard?.writeText(bibtex)}>
          Copy BibTeX
        </button>
      </details>
    </section>
  );
}

function SignatureTable({ title, spec }: { title: string; spec: IoSpec | undefined }) {
  const rows = fields(spec);
  return (
    <>
      <h3>{title}</h3>
      <table class="signature">
        <Head columns={["Name", "Type", "Description"]} />
        <tbody>
          {rows.map(([n, s]) => (
            <tr key={n}>
              <td>
                <code>{n}</code>
              </td>
              <td>{describeType(s)}</td>
              <td>{s.description ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function Versions({ owner, name, current }: { owner: string; name: string; current: number }) {
  const [versions, setVersions] = useState<Summary[]>([]);
  const [error, setError] = useState("");
  useEffect(() => {
    api
      .GET("/api/v1/servables/{owner}/{name}/versions", { params: { path: { owner, name } } })
      .then((r) => setVersions((ok(r) as unknown as { versions: Summary[] }).versions))
      .catch((e: unknown) => setError(errorText(e)));
  }, [owner, name]);
  return (
    <section class="card" aria-labelledby="versions-h">
      <h2 id="versions-h">Versions</h2>
      {error && <p class="error">{error}</p>}
      <table class="versions">
        <Head columns={["Version", "State", "Published"]} />
        <tbody>
          {[...versions].reverse().map((v) => (
            <tr key={v.version} class={v.version === current ? "current" : ""}>
              <td>
                <a href={servableHref(owner, name, v.version)}>v{v.version}</a>
                {v.version === current ? " (shown)" : ""}
              </td>
              <td>
                <span class={`state state-${v.state}`}>{v.state}</span>
                {v.state_reason ? ` — ${v.state_reason}` : ""}
              </td>
              <td>{v.publication_date}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** A plain link when signed out; signed in, a download that sends the token. */
function DownloadLink(props: { url: string; filename: string; class?: string; children: preact.ComponentChildren }) {
  const [error, setError] = useState("");
  const onClick = (e: MouseEvent) => {
    if (!getToken()) return;
    e.preventDefault();
    download(props.url, props.filename).catch((err: unknown) => setError(errorText(err)));
  };
  return (
    <>
      <a class={props.class} href={props.url} download={props.filename} onClick={onClick}>
        {props.children}
      </a>
      {error && <span class="error"> {error}</span>}
    </>
  );
}

function fileList(files: unknown): string[] {
  const out: string[] = [];
  const walk = (x: unknown) => {
    if (typeof x === "string" && x) out.push(x);
    else if (Array.isArray(x)) x.forEach(walk);
    else if (x && typeof x === "object") Object.values(x).forEach(walk);
  };
  walk(files);
  return [...new Set(out)];
}

function Stats({ owner, name }: { owner: string; name: string }) {
  const [stats, setStats] = useState<Record<string, unknown> | null>(null);
  useEffect(() => {
    // The statistics route exists where the usage-statistics work has landed; elsewhere it is a 404.
    fetchText(`${base(owner, name)}/stats`)
      .then((t) => setStats(JSON.parse(t) as Record<string, unknown>))
      .catch(() => setStats(null));
  }, [owner, name]);
  if (!stats) return null;
  const flat = Object.entries(stats).filter(([, v]) => typeof v === "number" || typeof v === "string");
  return (
    <section class="card" aria-labelledby="stats-h">
      <h2 id="stats-h">Usage</h2>
      <dl class="stats">
        {flat.map(([k, v]) => (
          <div key={k}>
            <dt>{k.replace(/_/g, " ")}</dt>
            <dd>{String(v)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function ServablePage({ route }: { route: Route }) {
  const [, owner, name] = route.path;
  const version = route.params.get("v") ?? "";
  const [d, setD] = useState<Described | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    setD(null);
    setError("");
    api
      .GET("/api/v1/servables/{owner}/{name}", { params: { path: { owner, name }, query: { version } } })
      .then((r) => setD(ok(r) as unknown as Described))
      .catch((e: unknown) => setError(errorText(e)));
  }, [owner, name, version]);
  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!d) return <p>Loading…</p>;
  const s = d.summary;
  const run = d.metadata.servable?.methods?.run;
  const files = fileList(d.metadata.dlhub?.files);
  return (
    <article class="servable">
      <p>
        <a href="#/">← Catalogue</a>
      </p>
      <h1>{s.title || s.name}</h1>
      <p class="meta">
        <code>
          {s.owner}/{s.name}
        </code>{" "}
        v{s.version} · {s.servable_type} · <span class={`state state-${s.state}`}>{s.state}</span>
        {s.visible_to.includes("public") ? "" : " · private"}
      </p>
      <p class="authors">By {s.authors.join(", ")}</p>
      <p class="desc">{s.description}</p>
      <Tags values={s.domains} />
      {s.servable_type === "pipeline" && <PipelineGraph owner={s.owner} name={s.name} />}
      <div class="grid">
        <Citation owner={s.owner} name={s.name} version={s.version} doi={s.doi} />
        <section class="card" aria-labelledby="sig-h">
          <h2 id="sig-h">Signature</h2>
          <SignatureTable title="Inputs" spec={run?.input} />
          <SignatureTable title="Outputs" spec={run?.output} />
        </section>
        <RunForm summary={s} metadata={d.metadata} />
        <Versions owner={s.owner} name={s.name} current={s.version} />
        <section class="card" aria-labelledby="files-h">
          <h2 id="files-h">Files</h2>
          <ul>
            {files.map((f) => (
              <li key={f}>
                <DownloadLink url={`${base(s.owner, s.name)}/files/${f.split("/").map(encodeURIComponent).join("/")}?version=${s.version}`} filename={f.split("/").pop() ?? f}>
                  {f}
                </DownloadLink>
              </li>
            ))}
          </ul>
          <DownloadLink class="button" url={`${base(s.owner, s.name)}/bundle?version=${s.version}`} filename={`${s.owner}-${s.name}-v${s.version}.tar.gz`}>
            Download bundle (tar.gz)
          </DownloadLink>
        </section>
        <Stats owner={s.owner} name={s.name} />
      </div>
    </article>
  );
}
