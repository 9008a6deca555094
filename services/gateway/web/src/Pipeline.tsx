// A pipeline as a graph (view): $input -> steps -> outputs, in columns by depth.
import { useEffect, useState } from "preact/hooks";
import { api, errorText, ok } from "./api/client";
import { servableHref } from "./route";

interface Step {
  name: string;
  servable: string;
  state: string;
  inputs: string | Record<string, string>;
}

interface Described {
  steps: Step[];
  runnable: boolean;
  metadata: { servable?: { pipeline?: { outputs?: string | Record<string, string> } } };
}

const INPUT = "$input";
const OUTPUT = "$output";
const W = 170;
const H = 46;
const GAP_X = 60;
const GAP_Y = 24;

function sources(inputs: string | Record<string, string> | undefined): string[] {
  if (inputs === undefined) return [];
  const list = typeof inputs === "string" ? [inputs] : Object.values(inputs);
  return list.map((s) => (s.startsWith(INPUT) ? INPUT : s.split(".")[0]));
}

/** Nodes in columns by their longest path from $input, and the edges between them. */
export function layout(steps: Step[], outputs: string | Record<string, string> | undefined) {
  const reads = new Map<string, string[]>(steps.map((s) => [s.name, sources(s.inputs)]));
  const read = new Set([...reads.values()].flat());
  reads.set(OUTPUT, outputs === undefined ? steps.map((s) => s.name).filter((n) => !read.has(n)) : sources(outputs));
  const depth = new Map<string, number>([[INPUT, 0]]);
  const depthOf = (n: string, seen: Set<string> = new Set()): number => {
    if (depth.has(n)) return depth.get(n)!;
    if (seen.has(n)) return 0; // the registry refuses cycles; never loop on one
    seen.add(n);
    const d = 1 + Math.max(0, ...(reads.get(n) ?? []).map((m) => depthOf(m, seen)));
    depth.set(n, d);
    return d;
  };
  const names = [INPUT, ...steps.map((s) => s.name), OUTPUT];
  names.forEach((n) => depthOf(n));
  const columns: string[][] = [];
  for (const n of names) (columns[depth.get(n)!] ??= []).push(n);
  const pos = new Map<string, [number, number]>();
  columns.forEach((col, c) => col.forEach((n, r) => pos.set(n, [c * (W + GAP_X), r * (H + GAP_Y)])));
  const edges = [...reads.entries()].flatMap(([to, from]) => [...new Set(from)].map((f) => [f, to] as [string, string]));
  const width = columns.length * (W + GAP_X) - GAP_X;
  const height = Math.max(...columns.map((c) => c.length)) * (H + GAP_Y) - GAP_Y;
  return { pos, edges, width, height };
}

export function PipelineGraph({ owner, name }: { owner: string; name: string }) {
  const [d, setD] = useState<Described | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    api
      .GET("/api/v1/pipelines/{owner}/{name}", { params: { path: { owner, name } } })
      .then((r) => setD(ok(r) as unknown as Described))
      .catch((e: unknown) => setError(errorText(e)));
  }, [owner, name]);
  if (error) return <p class="error">{error}</p>;
  if (!d) return null;
  const { pos, edges, width, height } = layout(d.steps, d.metadata.servable?.pipeline?.outputs);
  const byName = new Map(d.steps.map((s) => [s.name, s]));
  return (
    <section class="card pipeline" aria-labelledby="pipe-h">
      <h2 id="pipe-h">Pipeline {d.runnable ? "" : "(not runnable: a step is withdrawn or gone)"}</h2>
      <div class="table-wrap">
        <svg width={width + 2} height={height + 2} role="img" aria-label={`steps: ${d.steps.map((s) => s.name).join(", ")}`}>
          <defs>
            <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto">
              <path d="M0,0 L10,5 L0,10 z" fill="#5b6473" />
            </marker>
          </defs>
          {edges.map(([f, t]) => {
            const [x1, y1] = pos.get(f) ?? [0, 0];
            const [x2, y2] = pos.get(t) ?? [0, 0];
            return <line key={`${f}>${t}`} x1={x1 + W} y1={y1 + H / 2} x2={x2} y2={y2 + H / 2} stroke="#5b6473" marker-end="url(#arrow)" />;
          })}
          {[...pos.entries()].map(([n, [x, y]]) => {
            const step = byName.get(n);
            return (
              <g key={n} class={`node ${step ? `state-${step.state.replace(/\s/g, "-")}` : "io"}`} data-node={n}>
                <rect x={x + 1} y={y + 1} width={W - 2} height={H - 2} rx="6" fill={step ? "#fff" : "#e4ecf7"} stroke="#9aa4b2" />
                <text x={x + 10} y={y + 19} font-weight="600" font-size="13">
                  {n === INPUT ? "input" : n === OUTPUT ? "output" : n}
                </text>
                {step && (
                  <text x={x + 10} y={y + 36} font-size="11" fill="#5b6473">
                    {step.servable.length > 24 ? `${step.servable.slice(0, 23)}…` : step.servable} · {step.state}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      </div>
      <ol class="steps">
        {d.steps.map((s) => {
          const [ref] = s.servable.split(":");
          const [o, n] = ref.split("/");
          return (
            <li key={s.name}>
              <code>{s.name}</code>: <a href={servableHref(o, n)}>{s.servable}</a> ({s.state}) ← {JSON.stringify(s.inputs)}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
