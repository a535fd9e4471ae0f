// The search box over history on disk: /api/search for the chosen source, or each in turn for all sources (their
// rotated archives too), results above the live tail. Every piece of log text goes in as textContent: lines are hostile.
/* global document, URLSearchParams */

const $ = (id) => document.getElementById(id);

function element(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  Object.assign(node, props);
  node.append(...children);
  return node;
}

const REASONS = {
  limit: "stopped at the line limit",
  bytes: "stopped: read the most a search may read",
  deadline: "stopped: took the most time a search may take",
  size: "stopped: the answer reached its size limit",
};

/** The form beside the live filter and the (hidden) results panel above the tail. */
function build() {
  const input = element("input", {
    id: "search",
    type: "search",
    placeholder: "search history: text, /regex/i",
    autocomplete: "off",
    spellcheck: false,
  });
  input.setAttribute("aria-label", "search history");
  const since = element("input", { id: "search-since", type: "text", placeholder: "since (2h, 2026-12-01)", size: 14 });
  since.setAttribute("aria-label", "search since");
  const form = element("form", { id: "search-form", className: "field" }, [
    input,
    since,
    element("button", { type: "submit", textContent: "Search" }),
  ]);
  $("filter-form").after(form);
  const close = element("button", { type: "button", textContent: "Close" });
  const summary = element("p", { id: "search-summary", className: "muted" });
  const results = element("div", { id: "search-results", className: "log" });
  results.setAttribute("role", "log");
  const panel = element("section", { id: "search-panel", hidden: true }, [summary, close, results]);
  panel.setAttribute("aria-label", "search results");
  results.style.maxHeight = "40vh";
  panel.style.padding = "0 12px";
  $("tail-panel").before(panel);
  close.addEventListener("click", () => (panel.hidden = true));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (text) void search(text, since.value.trim(), { panel, summary, results });
  });
}

/** The sources a search covers: the chosen one, or each of them in turn for "all sources" (value "*"). */
function chosenSources() {
  const select = $("source");
  if (select.value !== "*") return [select.value];
  return [...select.options].map((o) => o.value).filter((v) => v !== "*");
}

/** One source's search: its answer, or { error } with the server's message. */
async function searchOne(source, match, since) {
  const params = new URLSearchParams({ source, match, limit: "500" });
  if (since) params.set("since", since);
  try {
    const res = await fetch(`/api/search?${params}`, { cache: "no-store" });
    const body = await res.json();
    return res.ok ? body : { error: body?.message ?? `search failed (${res.status})` };
  } catch {
    return { error: "the search failed" };
  }
}

async function search(match, since, view) {
  view.panel.hidden = false;
  view.summary.className = "muted";
  view.summary.textContent = "searching…";
  view.results.replaceChildren();
  const sources = chosenSources();
  // One at a time: the server runs one search per client.
  const total = { matches: 0, files: [], stopped: undefined, lines: [] };
  for (const source of sources) {
    const body = await searchOne(source, match, since);
    if (body.error) {
      view.summary.className = "filter-error";
      view.summary.textContent = sources.length > 1 ? `${source}: ${body.error}` : body.error;
      return;
    }
    total.matches += body.matches;
    total.files.push(...body.files);
    total.stopped ??= body.stopped;
    const tag = sources.length > 1 ? source : undefined;
    total.lines.push(...body.lines.map((hit) => lineNode(hit, tag)));
  }
  view.results.replaceChildren(...total.lines);
  view.summary.textContent = summaryText(total);
}

function lineNode(hit, source) {
  const file = hit.file.slice(hit.file.lastIndexOf("/") + 1);
  return element("div", { className: "line" }, [
    element("span", { className: "muted", textContent: source ? `${source} ${file} ` : `${file} ` }),
    element("span", { className: "text", textContent: hit.line }),
  ]);
}

function summaryText(body) {
  const files = body.files.length;
  const parts = [`${body.matches} matching lines in ${files} file${files === 1 ? "" : "s"}, oldest first`];
  if (body.stopped) parts.push(REASONS[body.stopped] ?? "stopped");
  for (const f of body.files) {
    if (f.error) parts.push(`${f.path}: ${f.error}`);
    if (f.skipped) parts.push(`${f.path} skipped`);
  }
  return parts.join(" · ");
}

build();
