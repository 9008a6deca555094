// Run a servable from its page: one field per input of its signature.
import { useState } from "preact/hooks";
import { api, errorText, ok } from "./api/client";
import type { IoSpec, Metadata, Summary, Task } from "./api/types";
import { imageToArray, parseArrayText, parseNpy } from "./arrays";
import { Results } from "./Results";
import { describeType, fields, imageSize } from "./signature";

type Values = Record<string, unknown>;

function depth(x: unknown): number {
  return Array.isArray(x) ? 1 + depth(x[0]) : 0;
}

/** One example where the signature takes a batch: [x] for x one rank short. */
function asBatch(spec: IoSpec, value: unknown): unknown {
  const rank = (spec.shape ?? []).length;
  return spec.type === "ndarray" && rank > 0 && depth(value) === rank - 1 ? [value] : value;
}

function scalar(spec: IoSpec, raw: string): unknown {
  if (spec.type === "number" || spec.type === "integer") {
    const n = Number(raw);
    if (raw.trim() === "" || Number.isNaN(n)) throw new Error(`${JSON.stringify(raw)} is not a number`);
    return n;
  }
  if (spec.type === "boolean") return raw === "true";
  if (spec.type === "string") return raw;
  if (spec.type === "list" && !raw.trim().startsWith("[")) return raw.split(",").map((s) => s.trim()).filter(Boolean);
  return parseArrayText(raw);
}

function Field({ name, spec, set }: { name: string; spec: IoSpec; set: (v: unknown, problem?: string) => void }) {
  const id = `in-${name}`;
  const image = imageSize(spec);
  const flat = image !== null && (spec.shape ?? []).length === 2;
  const read = (f: () => unknown | Promise<unknown>) => {
    Promise.resolve()
      .then(f)
      .then((v) => set(v))
      .catch((e: unknown) => set(undefined, `${name}: ${(e as Error).message}`));
  };
  const onFile = (file: File | undefined) => {
    if (!file) return;
    if (file.type.startsWith("image/") && image) read(() => imageToArray(file, image[0], image[1], flat));
    else if (file.name.endsWith(".npy")) read(async () => parseNpy(await file.arrayBuffer()));
    else read(async () => parseArrayText(await file.text()));
  };
  const hint = describeType(spec);
  if (spec.type === "boolean")
    return (
      <label class="field">
        <input type="checkbox" onChange={(e) => set(e.currentTarget.checked)} /> <code>{name}</code> ({hint})
      </label>
    );
  const multiline = spec.type !== "number" && spec.type !== "integer" && spec.type !== "string";
  return (
    <div class="field">
      <label for={id}>
        <code>{name}</code> <span class="muted">{hint}</span>
      </label>
      {spec.description && <p class="muted">{spec.description}</p>}
      {multiline ? (
        <textarea
          id={id}
          rows={4}
          placeholder={spec.type === "ndarray" ? "JSON [[0.1, 0.2, …]] or CSV rows" : spec.type === "list" ? 'JSON ["V", "Co", "Zr"] or V, Co, Zr' : "JSON"}
          onInput={(e) => read(() => scalar(spec, e.currentTarget.value))}
        />
      ) : (
        <input id={id} type={spec.type === "string" ? "text" : "number"} step="any" onInput={(e) => read(() => scalar(spec, e.currentTarget.value))} />
      )}
      {spec.type === "ndarray" && (
        <label class="upload">
          Or upload {image ? "an image, " : ""}a CSV or a .npy file{" "}
          <input type="file" accept={`.csv,.txt,.npy${image ? ",image/*" : ""}`} onChange={(e) => onFile(e.currentTarget.files?.[0])} />
        </label>
      )}
    </div>
  );
}

export function RunForm({ summary, metadata }: { summary: Summary; metadata: Metadata }) {
  const input = metadata.servable?.methods?.run?.input;
  const named = input?.type === "dict" && input.properties;
  const specs = fields(input);
  const classes = metadata.servable?.classes ?? [];
  const [labelled, setLabelled] = useState(false); // raw tensors unless asked
  const [values, setValues] = useState<Values>({});
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [task, setTask] = useState<Task | null>(null);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError("");
    setTask(null);
    const missing = specs.filter(([n]) => values[n] === undefined).map(([n]) => n);
    const bad = Object.values(problems).filter(Boolean);
    if (bad.length || missing.length) {
      setError(bad.length ? bad.join("; ") : `give a value for ${missing.join(", ")}`);
      return;
    }
    const batched = Object.fromEntries(specs.map(([n, s]) => [n, asBatch(s, values[n])]));
    const inputs = named ? batched : batched[specs[0][0]];
    setBusy(true);
    try {
      const r = await api.POST("/api/v1/servables/{owner}/{name}/run", {
        params: {
          path: { owner: summary.owner, name: summary.name },
          query: labelled && classes.length ? { labelled: true } : undefined,
        },
        body: { inputs, version: summary.version } as never,
      });
      setTask(ok(r) as unknown as Task);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card run" aria-labelledby="run-h">
      <h2 id="run-h">Run</h2>
      <form onSubmit={submit}>
        {specs.map(([n, s]) => (
          <Field
            key={n}
            name={n}
            spec={s}
            set={(v, problem) => {
              setValues((old) => ({ ...old, [n]: v }));
              setProblems((old) => ({ ...old, [n]: problem ?? "" }));
            }}
          />
        ))}
        {classes.length > 0 && (
          <label class="field">
            <input type="checkbox" id="run-labelled" checked={labelled} onChange={(e) => setLabelled(e.currentTarget.checked)} /> Labelled results:{" "}
            <span class="muted">
              {"{class: probability}"} per row, most likely first ({classes.length} classes)
            </span>
          </label>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Running…" : "Run"}
        </button>
      </form>
      {error && (
        <p class="error" role="alert" data-testid="run-error">
          {error}
        </p>
      )}
      {task && <Results task={task} classes={classes} />}
    </section>
  );
}
