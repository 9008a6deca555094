"""A small search-and-describe web page served at /."""

# ruff: noqa: E501  (inline HTML/JS reads better unwrapped)

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>DLHub</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem} input{font-size:1rem;padding:.4rem;width:70%}
button{font-size:1rem;padding:.4rem .8rem} .hit{border-bottom:1px solid #ddd;padding:.6rem 0}
.meta{color:#666;font-size:.9rem} code{background:#f3f3f3;padding:0 .2rem}
pre{background:#f7f7f7;padding:.6rem;overflow:auto;max-height:30rem}
</style></head><body>
<h1>DLHub</h1><p>Publish, find and run scientific models.
API: <a href="/docs">/docs</a> (OpenAPI), <code>/api/v1</code>, Open Inference Protocol <code>/v2</code>.</p>
<form id="f"><input id="q" placeholder="Search models (title, author, domain...)" autofocus>
<button>Search</button></form>
<p class="meta" id="total"></p><div id="hits"></div><pre id="detail" hidden></pre>
<script>
const esc = s => String(s).replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;"}[c]));
async function search(){
  const q = document.getElementById('q').value;
  const r = await fetch('/api/v1/search?limit=50&facets=domains,owner&q=' + encodeURIComponent(q));
  const j = await r.json();
  if(!r.ok){document.getElementById('total').textContent = j.error; return;}
  document.getElementById('total').textContent = j.total + ' servable(s)';
  document.getElementById('hits').innerHTML = j.hits.map(h =>
    `<div class="hit"><a href="#" data-ref="${esc(h.owner)}/${esc(h.name)}"><b>${esc(h.title||h.name)}</b></a>
     <div class="meta"><code>${esc(h.owner)}/${esc(h.name)}</code> v${h.version} · ${esc(h.servable_type)}
     · ${esc(h.authors.join(', '))} · ${esc(h.domains.join(', '))}</div>
     <div>${esc(h.description)}</div></div>`).join('');
}
document.getElementById('f').onsubmit = e => {e.preventDefault(); search();};
document.getElementById('hits').onclick = async e => {
  const a = e.target.closest('a'); if(!a) return; e.preventDefault();
  const r = await fetch('/api/v1/servables/' + a.dataset.ref);
  const d = document.getElementById('detail'); d.hidden = false;
  d.textContent = JSON.stringify(await r.json(), null, 2);
};
search();
</script></body></html>
"""
