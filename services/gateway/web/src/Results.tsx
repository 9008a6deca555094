// Results the way people read them: a predicted label, a sorted probability bar
// chart for classifiers (class names where the servable declares them), tags,
// and a table for any other array; or the API's labelled results ({class:
// probability} per row, from ?labelled=true) as one sorted table per row.
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

const LABELLED_ROWS = 10;
const LABELLED_CLASSES = 10;

/** The API's {class: probability} rows, most likely first: sorted here, since a
 * JavaScript object lists integer-like keys ("0", "1"…) in numeric order. */
function Labelled({ rows }: { rows: Record<string, number>[] }) {
  return (
    <div class="labelled" data-testid="labelled">
      {rows.slice(0, LABELLED_ROWS).map((row, i) => {
        const sorted = Object.entries(row).sort((a, b) => b[1] - a[1]);
        return (
          <div key={i} class="table-wrap">
            <table class="array labelled-row">
              <caption>Row {i}, labelled</caption>
              <thead>
                <tr>
                  <th scope="col">class</th>
                  <th scope="col">probability</th>
                </tr>
              </thead>
              <tbody>
                {sorted.slice(0, LABELLED_CLASSES).map(([k, v]) => (
                  <tr key={k}>
                    <th scope="row">{k}</th>
                    <td>{fmt(v)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {sorted.length > LABELLED_CLASSES && <p class="muted">and {sorted.length - LABELLED_CLASSES} classes less likely</p>}
          </div>
        );
      })}
      {rows.length > LABELLED_ROWS && <p class="muted">the first {LABELLED_ROWS} of {rows.length} rows</p>}
    </div>
  );
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
  const raw = outputs
    .filter((t) => t !== label)
    .map((t) =>
      isProbabilities(t) ? (
        rows(t)
          .slice(0, 4)
          .map((r, i) => <BarChart key={`${t.name}${i}`} scores={(r as number[]).map((v, j) => [named(j), v])} label={`${t.name}, row ${i}`} />)
      ) : (
        <Table key={t.name} t={t} />
      ),
    );
  return (
    <div class="results-out">
      {label && (
        <p class="prediction">
          Predicted {label.name}: <strong data-testid="predicted">{label.data.map((x) => (typeof x === "number" && classes.length ? named(x) : fmt(x))).join(", ")}</strong>
        </p>
      )}
      {task.labelled ? (
        <>
          <Labelled rows={task.labelled} />
          <details>
            <summary>Raw outputs</summary>
            {raw}
          </details>
        </>
      ) : (
        raw
      )}
    </div>
  );
}
