// The page: source picker (one source or all), filter, pause, connection state; wires the stream to the tail view.
/* global document, window, history, location, URLSearchParams */
import { openStream } from "./stream.js";
import { TailView } from "./tail.js";
import { startTrafficPanel } from "./traffic.js";

const $ = (id) => document.getElementById(id);

const STATE_TEXT = {
  connecting: "connecting…",
  live: "live",
  reconnecting: "reconnecting…",
  unauthorized: "signed out: open the ?token= link again",
  error: "error",
};

/** The source choice that streams every source (no source parameter). */
const ALL = "*";
/** Colours for the source tags of the all-sources view (app.css .src-0 ... .src-7), given in the sources' order. */
const SOURCE_COLOURS = 8;

const state = { source: "", match: "", stream: null, everConnected: false, received: 0, colours: new Map() };
const tail = new TailView($("log"), $("new-lines"), {
  maxLines: 5000,
  onRendered: updateStatus,
  sourceClass: (name) => `src src-${colourOf(name)}`,
});

/** A source's colour index: fixed by its place in the list, so a source keeps its colour across reloads. */
function colourOf(name) {
  let index = state.colours.get(name);
  if (index === undefined) state.colours.set(name, (index = state.colours.size % SOURCE_COLOURS));
  return index;
}

/** In a stream of every source a line names its source only when it differs from the line before: fill it in. */
function fillSources(lines) {
  let source = "";
  for (const line of lines) {
    if (line.source === undefined) line.source = source;
    else source = line.source;
  }
}

function setConnState(s) {
  const pill = $("conn");
  pill.dataset.state = s;
  pill.textContent = STATE_TEXT[s] ?? s;
}

function onEvent(evt) {
  switch (evt.type) {
    case "lines":
      if (evt.source === null) fillSources(evt.lines);
      tail.pushLines(evt.lines);
      countReceived(evt.lines);
      break;
    case "hello":
      // A stream that could not resume (first connect, or a restarted server) starts over from history.
      if (!evt.resumed && state.everConnected && tail.keptLines > 0)
        tail.pushMarker("— reconnected to a restarted server —");
      state.everConnected = true;
      break;
    case "dropped":
      tail.pushMarker(`— ${evt.count} lines dropped: the browser fell behind —`);
      break;
    case "missed":
      tail.pushMarker(`— ${evt.count} lines missed while disconnected —`);
      break;
    case "error":
      tail.pushMarker(`— stream stopped: ${evt.message} —`);
      break;
  }
}

/** Lines received on this stream, and the n of the newest: kept on the status bar's data attributes too. */
function countReceived(lines) {
  state.received += lines.length;
  const status = $("status");
  status.dataset.received = String(state.received);
  status.dataset.lastN = String(lines[lines.length - 1]?.n ?? status.dataset.lastN ?? 0);
}

function connect() {
  if (state.stream) state.stream.close();
  state.everConnected = false;
  state.received = 0;
  $("status").dataset.received = "0";
  $("status").dataset.lastN = "0";
  tail.clear();
  if (!state.source) return;
  const source = state.source === ALL ? "" : state.source;
  state.stream = openStream({ source, match: state.match, onEvent, onState: setConnState });
  saveToHash();
}

async function loadSources() {
  const res = await fetch("/api/sources", { cache: "no-store" });
  if (res.status === 401) return setConnState("unauthorized");
  const { sources } = await res.json();
  for (const s of sources) colourOf(s.name);
  const option = (value, text) => {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = text;
    return o;
  };
  const all = sources.length > 1 ? [option(ALL, `all sources (${sources.length})`)] : [];
  const each = sources.map((s) => option(s.name, s.path ? `${s.name} — ${s.path}` : s.name));
  $("source").replaceChildren(...all, ...each);
  // Several sources: all of them at first; a link or a reload keeps the choice made.
  const wanted = new URLSearchParams(location.hash.slice(1)).get("source");
  const known = wanted === ALL || sources.some((s) => s.name === wanted);
  state.source = known ? wanted : all.length > 0 ? ALL : (sources[0]?.name ?? "");
  $("source").value = state.source;
}

/** Check the pattern with the server (it owns the syntax) before reconnecting with it. */
async function applyFilter(text) {
  const error = $("filter-error");
  if (text) {
    const params = new URLSearchParams({ lines: "0", match: text });
    if (state.source !== ALL) params.set("source", state.source);
    const res = await fetch(`/api/tail?${params}`, {
      cache: "no-store",
    });
    if (res.status === 400 || res.status === 422) {
      error.textContent = (await res.json()).message;
      error.hidden = false;
      return;
    }
  }
  error.hidden = true;
  state.match = text;
  connect();
}

function saveToHash() {
  const params = new URLSearchParams({ source: state.source });
  if (state.match) params.set("match", state.match);
  history.replaceState(null, "", `#${params}`);
}

function updateStatus() {
  const paused = tail.paused ? " · paused" : "";
  const shown = `${tail.keptLines} lines kept (the newest ${tail.maxLines}) of ${state.received} received`;
  $("status").textContent = `${shown}${state.match ? ` · filter ${state.match}` : ""}${paused}`;
}

function wireControls() {
  $("source").addEventListener("change", (e) => {
    state.source = e.target.value;
    connect();
  });
  $("filter-form").addEventListener("submit", (e) => {
    e.preventDefault();
    applyFilter($("filter").value.trim());
  });
  $("pause").addEventListener("click", () => {
    const paused = !tail.paused;
    tail.setPaused(paused);
  });
  $("new-lines").addEventListener("click", () => syncPauseButton());
  window.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && document.activeElement === $("filter")) $("filter").blur();
  });
}

function syncPauseButton() {
  const button = $("pause");
  button.textContent = tail.paused ? "Resume" : "Pause";
  button.setAttribute("aria-pressed", String(tail.paused));
  updateStatus();
}

async function main() {
  wireControls();
  $("pause").addEventListener("click", syncPauseButton);
  await loadSources();
  state.match = new URLSearchParams(location.hash.slice(1)).get("match") ?? "";
  $("filter").value = state.match;
  connect();
  startTrafficPanel({
    side: $("side"),
    traffic: $("traffic"),
    job: $("job"),
    chart: $("chart"),
    now: $("traffic-now"),
    sections: $("sections"),
    noStats: $("no-stats"),
    alertList: $("alert-list"),
    noAlerts: $("no-alerts"),
  });
}

main().catch(() => setConnState("error"));
