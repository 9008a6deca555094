// Hash routes, so the gateway serves one page at / and links work offline:
//   #/?q=&domains=&page=   the catalogue      #/s/OWNER/NAME?v=N   a servable
//   #/account              sign in, my servables, publish jobs
import { useEffect, useState } from "preact/hooks";

export interface Route {
  path: string[];
  params: URLSearchParams;
}

function parse(): Route {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = hash.split("?", 2);
  return { path: path.split("/").filter(Boolean).map(decodeURIComponent), params: new URLSearchParams(query) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    addEventListener("hashchange", on);
    return () => removeEventListener("hashchange", on);
  }, []);
  return route;
}

export function href(path: string[], params?: URLSearchParams): string {
  const q = params && [...params.keys()].length ? `?${params}` : "";
  return `#/${path.map(encodeURIComponent).join("/")}${q}`;
}

export function servableHref(owner: string, name: string, version?: number): string {
  const p = new URLSearchParams();
  if (version) p.set("v", String(version));
  return href(["s", owner, name], p);
}
