// Build a pipeline from the page (docs/pipelines.md): choose servables from search,
// wire each step's inputs to the pipeline input or an earlier step's output, publish
// the metadata through the ordinary publish route; the registry's refusal is shown as stated.
import { useState } from "preact/hooks";
import { api, errorText, ok } from "./api/client";
import type { Described, IoSpec, SearchPage, Summary } from "./api/types";
import { servableHref } from "./route";
import { describeType } from "./signature";

interface Step {
  name: string;
  servable: string; // owner/name:version
  input: IoSpec | undefined;
  output: IoSpec | undefined;
  inputs: Record<string, string> | string; // {key: source} for a dict input, else one source
}

/** A dict's keys (a tensor servable's named tensors), or null for one whole value. */
function keys(spec: IoSpec | undefined): string[] | null {
  return spec?.type === "dict" && spec.properties ? Object.keys(spec.properties) : null;
}

/** The sources a step may read: the pipeline input, then every earlier step's outputs. */
function sources(steps: Step[], index: number, key: string | null): string[] {
  const out = [key === null ? "$input" : `$input.${key}`];
  for (const s of steps.slice(0, index)) {
    const ks = keys(s.output);
    if (ks) out.push(...ks.map((k) => `${s.name}.${k}`));
    else out.push(s.name);
  }
  return out;
}

/** Publish a metadata document (and files) through POST /api/v1/servables, as the API answers. */
export async function publishForm(form: FormData, token: string): Promise<{ publish_id?: string; summary?: Summary; error?: string }> {
  const r = await fetch("/api/v1/servables", { method: "POST", body: form, headers: { Authorization: `Bearer ${token}` } });
  const body = (await r.json()) as { publish_id?: string; error?: string; code?: string; summary?: Summary };
  return r.ok ? body : { error: `${r.status} ${body.code}: ${body.error}` };
}

export function PipelineBuilder({ username, token, onPublished }: { username: string; token: string; onPublished: (id: string) => void }) {
  const [name, setName] = useState("");
  const [title, setTitle] = useState("");
  const [query, setQuery] = useState("");
  const [hits, setHits] = useState<Summary[]>([]);
  const [steps, setSteps] = useState<Step[]>([]);
  const [error, setError] = useState("");
  const [done, setDone] = useState<Summary | null>(null);

  const find = async () => {
    setError("");
    try {
      const page = ok(await api.GET("/api/v1/search", { params: { query: { q: query, limit: 10 } } })) as unknown as SearchPage;
      setHits(page.hits.filter((h) => h.servable_type !== "pipeline"));
    } catch (e) {
      setError(errorText(e));
    }
  };
  const add = async (h: Summary) => {
    setError("");
    try {
      const d = ok(
        await api.GET("/api/v1/servables/{owner}/{name}", { params: { path: { owner: h.owner, name: h.name }, query: { version: String(h.version) } } }),
      ) as unknown as Described;
      const run = d.metadata.servable?.methods?.run;
      const taken = new Set(steps.map((s) => s.name));
      let n = steps.length + 1;
      while (taken.has(`step${n}`)) n++;
      const ks = keys(run?.input);
      setSteps([
        ...steps,
        {
          name: `step${n}`,
          servable: `${h.owner}/${h.name}:${h.version}`,
          input: run?.input,
          output: run?.output,
          inputs: ks ? Object.fromEntries(ks.map((k) => [k, `$input.${k}`])) : "$input",
        },
      ]);
    } catch (e) {
      setError(errorText(e));
    }
  };
  const update = (i: number, change: Partial<Step>) => setSteps(steps.map((s, j) => (j === i ? { ...s, ...change } : s)));

  const publish = async (e: Event) => {
    e.preventDefault();
    setError("");
    setDone(null);
    const doc = {
      datacite: {
        creators: [{ name: username }],
        titles: [{ title: title || name }],
        descriptions: [],
        resourceType: { resourceTypeGeneral: "InteractiveResource", resourceType: "Model" },
      },
      dlhub: { name, domains: [], visible_to: ["public"] },
      servable: { type: "pipeline", pipeline: { steps: steps.map((s) => ({ name: s.name, servable: s.servable, inputs: s.inputs })) } },
    };
    const form = new FormData();
    form.set("metadata", JSON.stringify(doc));
    const body = await publishForm(form, token);
    if (body.error) setError(body.error);
    else {
      setDone(body.summary ?? null);
      if (body.publish_id) onPublished(body.publish_id);
    }
  };

  return (
    <section class="card builder" aria-labelledby="pb-h">
      <h2 id="pb-h">Build a pipeline</h2>
      <form
        class="pb-find"
        onSubmit={(e) => {
          e.preventDefault();
          void find();
        }}
      >
        <label for="pb-search">Find servables for the steps</label>
        <input id="pb-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        <button type="submit">Find</button>
      </form>
      <ul class="pb-hits">
        {hits.map((h) => (
          <li key={`${h.owner}/${h.name}`}>
            <button type="button" onClick={() => void add(h)}>
              Add {h.owner}/{h.name}
            </button>{" "}
            <span class="muted">
              {h.title} v{h.version}
            </span>
          </li>
        ))}
      </ul>
      <form onSubmit={publish}>
        <label for="pb-name">Pipeline name</label>
        <input id="pb-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="pb-title">Title</label>
        <input id="pb-title" value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
        <ol class="pb-steps">
          {steps.map((s, i) => {
            const ks = keys(s.input);
            const wire = (key: string | null) => {
              const id = `pb-${i}-${key ?? "value"}`;
              const value = key === null ? (s.inputs as string) : (s.inputs as Record<string, string>)[key];
              return (
                <div key={id}>
                  <label for={id}>
                    {s.name}.{key ?? "input"} <span class="muted">({describeType(key === null ? (s.input ?? {}) : (s.input?.properties?.[key] ?? {}))})</span> from
                  </label>
                  <select
                    id={id}
                    value={value}
                    onChange={(e) => {
                      const v = e.currentTarget.value;
                      update(i, { inputs: key === null ? v : { ...(s.inputs as Record<string, string>), [key]: v } });
                    }}
                  >
                    {sources(steps, i, key).map((src) => (
                      <option key={src} value={src}>
                        {src}
                      </option>
                    ))}
                  </select>
                </div>
              );
            };
            return (
              <li key={i} class="pb-step">
                <label for={`pb-${i}-name`}>Step name</label>
                <input id={`pb-${i}-name`} value={s.name} onInput={(e) => update(i, { name: e.currentTarget.value })} />
                <p>
                  <code>{s.servable}</code>
                </p>
                {ks ? ks.map((k) => wire(k)) : wire(null)}
                <button type="button" onClick={() => setSteps(steps.filter((_, j) => j !== i))}>
                  Remove {s.name}
                </button>
              </li>
            );
          })}
        </ol>
        {steps.length === 0 && <p class="muted">Find servables above and add them as steps.</p>}
        <button type="submit" disabled={steps.length === 0}>
          Publish pipeline
        </button>
      </form>
      {done && (
        <p role="status">
          Published{" "}
          <a href={servableHref(done.owner, done.name, done.version)}>
            {done.owner}/{done.name} v{done.version}
          </a>
        </p>
      )}
      {error && (
        <p class="error" role="alert" data-testid="pb-error">
          {error}
        </p>
      )}
    </section>
  );
}
