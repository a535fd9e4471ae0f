// The live tail: a bounded list of line elements, rendered in batches once per animation frame.
/* global document, requestAnimationFrame, ResizeObserver */

/** Most lines rendered in one frame: a flood is caught up over a few frames, the page stays responsive. */
const MAX_PER_FRAME = 2000;

const LEVELS = [
  ["error", /\b(?:ERROR|ERR|FATAL|CRIT(?:ICAL)?|SEVERE|PANIC|EMERG|ALERT)\b/i],
  ["warn", /\bWARN(?:ING)?\b/i],
  ["info", /\b(?:INFO|NOTICE)\b/i],
  ["debug", /\b(?:DEBUG|TRACE)\b/i],
];

export function levelOf(text) {
  for (const [level, re] of LEVELS) if (re.test(text)) return level;
  return "";
}

/**
 * Lines and markers are queued, and the queue is drawn once per frame. Only the newest maxLines are
 * ever kept, queued or shown: at 50k lines/s older ones would scroll out anyway. While paused (or
 * scrolled up) arrivals are counted for the "N new lines" button. Log text only ever goes through
 * textContent / text nodes, never HTML.
 */
export class TailView {
  constructor(container, newLinesButton, { maxLines = 5000, onRendered = () => {} } = {}) {
    this.container = container;
    this.button = newLinesButton;
    this.maxLines = maxLines;
    this.onRendered = onRendered;
    this.queue = [];
    this.paused = false;
    this.follow = true;
    this.unseen = 0;
    this.frame = 0;
    this.ownScrollTop = -1;
    container.classList.add("following");
    container.addEventListener("scroll", () => this.onScroll());
    newLinesButton.addEventListener("click", () => this.jumpToEnd());
    // A layout change (panel shown, window resized) moves the end without a scroll event: stay on it.
    new ResizeObserver(() => {
      if (this.follow) this.scrollToEnd();
    }).observe(container);
  }

  /** A line event from the stream: { line, rules?, hl?, time, n }. */
  pushLine(evt) {
    this.enqueue({ line: evt });
    if (this.paused || !this.follow) {
      this.unseen++;
      this.updateButton();
    }
  }

  /** A system notice shown between lines ("120 lines dropped"). */
  pushMarker(text) {
    this.enqueue({ marker: text });
  }

  clear() {
    this.queue = [];
    this.unseen = 0;
    this.container.replaceChildren();
    this.setFollow(true);
    this.updateButton();
  }

  setPaused(paused) {
    this.paused = paused;
    if (!paused) this.jumpToEnd();
    this.updateButton();
  }

  get shownLines() {
    return this.container.childElementCount;
  }

  enqueue(item) {
    this.queue.push(item);
    if (this.queue.length > this.maxLines * 2) this.queue.splice(0, this.queue.length - this.maxLines);
    this.schedule();
  }

  schedule() {
    if (this.paused || this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  render() {
    if (this.paused || this.queue.length === 0) return;
    if (this.queue.length > this.maxLines) this.queue.splice(0, this.queue.length - this.maxLines);
    const batch = this.queue.splice(0, MAX_PER_FRAME);
    const fragment = document.createDocumentFragment();
    for (const item of batch) fragment.appendChild(item.marker === undefined ? lineElement(item.line) : markerElement(item.marker));
    this.container.appendChild(fragment);
    this.trim();
    if (this.follow) this.scrollToEnd();
    this.onRendered();
    if (this.queue.length > 0) this.schedule();
  }

  /** Remove the oldest elements beyond maxLines in one range operation. */
  trim() {
    const excess = this.container.childElementCount - this.maxLines;
    if (excess <= 0) return;
    const range = document.createRange();
    range.setStartBefore(this.container.firstElementChild);
    range.setEndAfter(this.container.children[excess - 1]);
    range.deleteContents();
  }

  /** Follow the newest line; remember where, so the scroll event this causes is not taken for the user's. */
  scrollToEnd() {
    const c = this.container;
    c.scrollTop = c.scrollHeight;
    this.ownScrollTop = c.scrollTop;
  }

  /** The user scrolled: away from the end stops following (lines keep coming, counted); back to the end resumes. */
  onScroll() {
    const c = this.container;
    if (this.follow && Math.abs(c.scrollTop - this.ownScrollTop) < 2) return;
    const atEnd = c.scrollHeight - c.scrollTop - c.clientHeight < 24;
    if (atEnd === this.follow) return;
    this.setFollow(atEnd);
    if (atEnd && !this.paused) this.unseen = 0;
    this.updateButton();
  }

  /** While following we scroll ourselves; otherwise the browser's scroll anchoring keeps the user's place as old lines go. */
  setFollow(follow) {
    this.follow = follow;
    this.container.classList.toggle("following", follow);
  }

  jumpToEnd() {
    this.paused = false;
    this.setFollow(true);
    this.unseen = 0;
    this.updateButton();
    this.scrollToEnd();
    this.schedule();
  }

  updateButton() {
    const show = this.unseen > 0 && (this.paused || !this.follow);
    this.button.hidden = !show;
    this.button.textContent = `${this.unseen} new line${this.unseen === 1 ? "" : "s"}`;
  }
}

function lineElement(evt) {
  const row = document.createElement("div");
  const level = levelOf(evt.line);
  row.className = "line" + (level ? ` lvl-${level}` : "") + (evt.rules ? " hit" : "");
  const text = document.createElement("span");
  text.className = "text";
  if (Array.isArray(evt.hl) && evt.hl.length === 2) {
    const [start, end] = evt.hl;
    const mark = document.createElement("mark");
    mark.textContent = evt.line.slice(start, end);
    text.append(evt.line.slice(0, start), mark, evt.line.slice(end));
  } else {
    text.textContent = evt.line;
  }
  row.appendChild(text);
  if (evt.rules) {
    const badge = document.createElement("span");
    badge.className = "rules";
    badge.textContent = evt.rules.join(", ");
    row.appendChild(badge);
  }
  return row;
}

function markerElement(message) {
  const row = document.createElement("div");
  row.className = "line marker";
  row.textContent = message;
  return row;
}
