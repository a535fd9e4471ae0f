// The live stream: Server-Sent Events read with fetch(), resumed after the last id when the connection drops.
/* global TextDecoderStream, URLSearchParams */

const MAX_BACKOFF_MS = 10000;

/** Open /api/stream for a source (every source when none is given) and filter; see openEvents. */
export function openStream({ source, match, onEvent, onState }) {
  const params = {};
  if (source) params.source = source;
  if (match) params.match = match;
  return openEvents({ path: "/api/stream", params, onEvent, onState });
}

/**
 * Open an event stream (/api/stream, /api/events) and hand each event's JSON to onEvent. fetch() with a
 * streamed body replaces EventSource: the browser's EventSource parser works a character at a time,
 * which at 50k lines/s is most of what the page spends; here events are cut with indexOf. When the
 * stream ends or fails it is reopened with ?last_id= (the id of the last event), backing off up to 10 s;
 * a 401 means the session is gone and a 400/422 (a refused filter) becomes an "error" event; both stop. onState receives "connecting" | "live" | "reconnecting" |
 * "unauthorized" | "error".
 */
export function openEvents({ path, params, onEvent, onState = () => {} }) {
  let lastId = "";
  let retryMs = 1000;
  let backoff = 1000;
  let closed = false;
  let controller = null;
  let retryTimer = null;

  const url = () => {
    const query = new URLSearchParams(params);
    if (lastId) query.set("last_id", lastId);
    return query.size > 0 ? `${path}?${query}` : path;
  };

  /** One SSE event block: "field: value" lines; only id, data and retry matter here. */
  const dispatch = (block) => {
    let data = null;
    for (const field of block.split("\n")) {
      if (field.startsWith("data: ")) data = data === null ? field.slice(6) : `${data}\n${field.slice(6)}`;
      else if (field.startsWith("id: ")) lastId = field.slice(4);
      else if (field.startsWith("retry: ")) retryMs = Number(field.slice(7)) || retryMs;
    }
    if (data === null) return;
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      return; // not ours: ignore rather than break the stream
    }
    try {
      onEvent(event);
    } catch (err) {
      queueMicrotask(() => {
        throw err; // a bug in the page: report it, but keep reading
      });
    }
  };

  const read = async (body) => {
    const reader = body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done || closed) return;
      buffer += value;
      let start = 0;
      for (let end; (end = buffer.indexOf("\n\n", start)) >= 0; start = end + 2) dispatch(buffer.slice(start, end));
      buffer = buffer.slice(start);
    }
  };

  const connect = async () => {
    if (closed) return;
    controller = new AbortController();
    try {
      const res = await fetch(url(), {
        headers: { accept: "text/event-stream" },
        cache: "no-store",
        signal: controller.signal,
      });
      if (res.status === 401) return onState("unauthorized");
      if (res.status === 400 || res.status === 422) {
        // The filter itself is refused (bad, or too slow on these lines): retrying would not help.
        const body = await res.json().catch(() => null);
        onEvent({ type: "error", message: body?.message ?? `the stream answered ${res.status}` });
        return onState("error");
      }
      if (!res.ok || !res.body) throw new Error(`stream answered ${res.status}`);
      backoff = retryMs;
      onState("live");
      await read(res.body);
    } catch {
      // dropped or refused: retried below
    }
    if (closed) return;
    onState("reconnecting");
    retryTimer = setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  };

  onState("connecting");
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(retryTimer);
      controller?.abort();
    },
  };
}
