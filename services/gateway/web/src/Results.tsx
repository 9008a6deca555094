// Results the way people read them: a predicted label, a sorted probability bar
// chart for classifiers (class names where the servable declares them), tags,
// and a table for any other array.
import type { Task, TensorJson } from "./api/types";

function rows(t: TensorJson): unknown[][] {
  const width = t.shape.length >= 2 ? t.shape.slice(1).reduce((a, b) => a * b, 1) : 1;
  const out: unknown[][] = [];
  for (let i = 0; i < t.data.length; i += width) out.push(t.data.slice(i, i + width));
  return out;
}

function isProbabilities(t: TensorJson): boolean {
  if (t.shape.length !== 2 || !t.datatype.startsWith("FP") || t.shape[1] < 2) return false;
  if (/prob|score|softmax/i.test(t.name)) return true;
  return rows(t).every((r) => Math.abs((r as number[]).reduce((a, b) => a + b, 0) - 1) < 1e-3);
}

function fmt(x: unknown): string {
  return typeof x === "number" ? (Number.isInteger(x) ? String(x) : x.toPrecision(4)) : JSON.stringify(x);
}

export function BarChart({ scores, label }: { scores: [string, number][]; label: string }) {
  const top = [...scores].sort((a, b) => b[1] - a[1]).slice(0, 10);
  return (
    <figure class="bars">
      <figcaption>{label}</figcaption>
      <ol>
        {top.map(([k, v]) => (
          <li key={k} class="bar-row">
            <span class="bar-label">{k}</span>
            <span class="bar-track" role="img" aria-label={`${k}: ${(v * 100).toFixed(1)}%`}>
              <span class="bar" style={{ width: `${Math.max(0, Math.min(1, v)) * 100}%` }} />
            </span>
            <span class="bar-value">{(v * 100).toFixed(1)}%</span>
          </li>
        ))}
      </ol>
    </figure>
  );
}

function Table({ t }: { t: TensorJson }) {
  const data = rows(t).slice(0, 100);
  return (
    <div class="table-wrap">
      <table class="array">
        <caption>
          <code>{t.name}</code> {t.datatype} [{t.shape.join(", ")}]
        </caption>
        <tbody>
          {data.map((r, i) => (
            <tr key={i}>
              <th scope="row">{i}</th>
              {r.map((x, j) => (
                <td key={j}>{fmt(x)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function JsonResult({ value }: { value: unknown }) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length && entries.every(([, v]) => typeof v === "number" && v >= 0 && v <= 1))
      return <BarChart scores={entries as [string, number][]} label="Tags" />;
  }
  if (Array.isArray(value) && value.every((v) => typeof v !== "object" || v === null))
    return (
      <ol class="values">
        {value.map((v, i) => (
          <li key={i}>{fmt(v)}</li>
        ))}
      </ol>
    );
  return <pre>{JSON.stringify(value, null, 2)}</pre>;
}

export function Results({ task, classes }: { task: Task; classes: string[] }) {
  if (task.state !== "SUCCEEDED")
    return (
      <p class="error" role="alert">
        {task.state}: {task.error ?? ""}
      </p>
    );
  if (task.output !== undefined)
    return (
      <div class="results-out">
        <JsonResult value={task.output} />
      </div>
    );
  const outputs = task.outputs ?? [];
  const label = outputs.find((t) => /label|class|pred/i.test(t.name) && t.shape.length <= 1);
  const named = (i: number) => classes[i] ?? String(i);
  return (
    <div class="results-out">
      {label && (
        <p class="prediction">
          Predicted {label.name}: <strong data-testid="predicted">{label.data.map((x) => (typeof x === "number" && classes.length ? named(x) : fmt(x))).join(", ")}</strong>
        </p>
      )}
      {outputs
        .filter((t) => t !== label)
        .map((t) =>
          isProbabilities(t) ? (
            rows(t)
              .slice(0, 4)
              .map((r, i) => <BarChart key={`${t.name}${i}`} scores={(r as number[]).map((v, j) => [named(j), v])} label={`${t.name}, row ${i}`} />)
          ) : (
            <Table key={t.name} t={t} />
          ),
        )}
    </div>
  );
}
