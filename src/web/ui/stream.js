// The live stream: an EventSource that resumes with Last-Event-ID, and reopens itself when the browser gives up.
/* global EventSource, URLSearchParams */

const MAX_BACKOFF_MS = 10000;

/**
 * Open /api/stream for a source (and filter). The browser reconnects by itself after a dropped
 * connection, sending Last-Event-ID; when it gives up (a restarting server answered with an error),
 * we open a new EventSource carrying the last id as ?last_id=, backing off up to 10 s.
 * onState receives "connecting" | "live" | "reconnecting" | "unauthorized" | "error".
 */
export function openStream({ source, match, onEvent, onState }) {
  let es = null;
  let lastId = "";
  let retryTimer = null;
  let backoff = 1000;
  let closed = false;

  const url = () => {
    const params = new URLSearchParams({ source });
    if (match) params.set("match", match);
    if (lastId) params.set("last_id", lastId);
    return `/api/stream?${params}`;
  };

  const connect = () => {
    if (closed) return;
    es = new EventSource(url());
    es.onopen = () => {
      backoff = 1000;
      onState("live");
    };
    es.onmessage = (e) => {
      if (e.lastEventId) lastId = e.lastEventId;
      let data;
      try {
        data = JSON.parse(e.data);
      } catch {
        return; // not ours: ignore rather than break the stream
      }
      onEvent(data);
    };
    es.onerror = () => {
      if (closed) return;
      if (es.readyState === EventSource.CONNECTING) {
        onState("reconnecting");
        return;
      }
      es.close();
      diagnoseAndRetry();
    };
  };

  /** Ask why the stream was refused: a lost session needs the token link again, anything else is retried. */
  const diagnoseAndRetry = async () => {
    onState("reconnecting");
    let status = 0;
    try {
      const params = new URLSearchParams({ source, lines: "0" });
      status = (await fetch(`/api/tail?${params}`, { cache: "no-store" })).status;
    } catch {
      status = 0; // server down: retry
    }
    if (closed) return;
    if (status === 401) {
      onState("unauthorized");
      return;
    }
    retryTimer = setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  };

  onState("connecting");
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(retryTimer);
      if (es) es.close();
    },
  };
}
