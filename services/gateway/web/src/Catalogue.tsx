// Browse and search: free text, facets (domain, type, author, owner), paging and sort.
import { useEffect, useState } from "preact/hooks";
import { api, errorText, ok } from "./api/client";
import type { SearchPage } from "./api/types";
import { Tags } from "./parts";
import { href, servableHref, type Route } from "./route";

export const FACETS: [field: string, label: string][] = [
  ["domains", "Domain"],
  ["servable_type", "Type"],
  ["authors", "Author"],
  ["owner", "Owner"],
];
const PAGE_SIZE = 10;
// The search API's orders (SearchRequest.sort), over all hits, not just one page.
const SORTS: [string, string][] = [
  ["relevance", "Relevance"],
  ["newest", "Newest"],
  ["oldest", "Oldest"],
  ["title", "Title"],
];

export function Catalogue({ route }: { route: Route }) {
  const params = route.params;
  const q = params.get("q") ?? "";
  const page = Math.max(0, Number(params.get("page") ?? 0) || 0);
  const sort = params.get("sort") ?? "relevance";
  const key = params.toString();
  const [result, setResult] = useState<SearchPage | null>(null);
  const [error, setError] = useState("");
  const [text, setText] = useState(q);

  useEffect(() => setText(q), [q]);
  useEffect(() => {
    let live = true;
    const filters = Object.fromEntries(FACETS.map(([f]) => [f, params.getAll(f)]));
    api
      .GET("/api/v1/search", {
        params: {
          query: {
            q,
            facets: FACETS.map(([f]) => f).join(","),
            offset: page * PAGE_SIZE,
            limit: PAGE_SIZE,
            sort,
            ...filters,
          },
        },
      })
      .then((r) => {
        if (live) {
          setResult(ok(r) as unknown as SearchPage);
          setError("");
        }
      })
      .catch((e: unknown) => live && setError(errorText(e)));
    return () => {
      live = false;
    };
  }, [key]);

  const go = (change: (p: URLSearchParams) => void) => {
    const p = new URLSearchParams(params);
    change(p);
    location.hash = href([], p);
  };
  const toggle = (field: string, value: string) =>
    go((p) => {
      const values = p.getAll(field);
      p.delete(field);
      for (const v of values.includes(value) ? values.filter((x) => x !== value) : [...values, value]) p.append(field, v);
      p.delete("page");
    });

  const total = result?.total ?? 0;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return (
    <div class="catalogue">
      <form
        class="searchbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          go((p) => {
            p.set("q", text);
            p.delete("page");
          });
        }}
      >
        <label for="q" class="visually-hidden">
          Search models
        </label>
        <input id="q" type="search" value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="Search models: title, author, domain…" />
        <button type="submit">Search</button>
      </form>
      <div class="layout">
        <aside class="facets" aria-label="Filters">
          {FACETS.map(([field, label]) => {
            const buckets = Object.entries(result?.facets?.[field] ?? {});
            const chosen = params.getAll(field);
            return (
              <fieldset key={field} class="facet" data-facet={field}>
                <legend>{label}</legend>
                {buckets.length === 0 && <p class="muted">none</p>}
                {buckets.map(([value, count]) => (
                  <label key={value} class="facet-value">
                    <input type="checkbox" checked={chosen.includes(value)} onChange={() => toggle(field, value)} />
                    {value} <span class="count">{count}</span>
                  </label>
                ))}
              </fieldset>
            );
          })}
        </aside>
        <section class="results" aria-live="polite">
          <div class="toolbar">
            <p id="total">{error ? "" : result ? `${total} servable${total === 1 ? "" : "s"}` : "Searching…"}</p>
            <label>
              Sort{" "}
              <select
                value={sort}
                onChange={(e) =>
                  go((p) => {
                    p.set("sort", e.currentTarget.value);
                    p.delete("page");
                  })
                }
              >
                {SORTS.map(([v, l]) => (
                  <option key={v} value={v}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {error && <p class="error" role="alert">{error}</p>}
          <ul class="hits">
            {(result?.hits ?? []).map((h) => (
              <li key={`${h.owner}/${h.name}/${h.version}`} class="hit">
                <a href={servableHref(h.owner, h.name)} class="hit-title">
                  {h.title || h.name}
                </a>
                <div class="meta">
                  <code>
                    {h.owner}/{h.name}
                  </code>{" "}
                  v{h.version} · {h.servable_type} · {h.authors.join(", ")}
                  {h.visible_to.includes("public") ? "" : " · private"}
                </div>
                <p class="desc">{h.description}</p>
                <Tags values={h.domains} />
              </li>
            ))}
          </ul>
          {pages > 1 && (
            <nav class="pager" aria-label="Pages">
              <button disabled={page === 0} onClick={() => go((p) => p.set("page", String(page - 1)))}>
                ← Previous
              </button>
              <span>
                Page {page + 1} of {pages}
              </span>
              <button disabled={page + 1 >= pages} onClick={() => go((p) => p.set("page", String(page + 1)))}>
                Next →
              </button>
            </nav>
          )}
        </section>
      </div>
    </div>
  );
}
