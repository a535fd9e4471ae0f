// The live tail: the newest lines kept as data, and a bounded window of them drawn as rows once per animation frame.
/* global document, requestAnimationFrame, ResizeObserver */

/**
 * In a flood (more than a screenful arrived since the last frame, twice running), a frame draws only a
 * screenful of rows (the log's height over this, plus a few): the newest. Older ones stay kept and are
 * drawn when the reader scrolls up. Drawing rows is what costs in a browser (layout, about 10 µs a
 * row), so this caps a frame's work at any rate: 50k lines/s is about 830 lines a frame at 60 frames/s.
 */
const MIN_ROW_PX = 16;
/**
 * Least time between two drawings while more than a screenful arrives per frame: the browser's work per
 * frame (layout, paint, compositing) is then spent ten times a second instead of sixty, on lines nobody
 * could read at that speed anyway.
 */
const FLOOD_FRAME_MS = 100;
/** Rows on the page while following (and most drawn in one frame); older kept lines are drawn when the reader scrolls up to them. */
const FOLLOW_ROWS = 1000;
/** Rows added at a time above the first one when the reader scrolls near the top. */
const OLDER_ROWS = 200;
/** How close to the top (in pixels) the reader gets before older rows are drawn. */
const OLDER_MARGIN_PX = 600;

const LEVELS = [
  ["error", /\b(?:ERROR|ERR|FATAL|CRIT(?:ICAL)?|SEVERE|PANIC|EMERG|ALERT)\b/i],
  ["warn", /\bWARN(?:ING)?\b/i],
  ["info", /\b(?:INFO|NOTICE)\b/i],
  ["debug", /\b(?:DEBUG|TRACE)\b/i],
];

/** Any level word; the first in the line is its level field (`WARN ... alert` is a warning, not an error). */
const LEVEL_WORD =
  /\b(?:ERROR|ERR|FATAL|CRIT(?:ICAL)?|SEVERE|PANIC|EMERG|ALERT|WARN(?:ING)?|INFO|NOTICE|DEBUG|TRACE)\b/i;

export function levelOf(text) {
  const word = LEVEL_WORD.exec(text)?.[0];
  if (word === undefined) return "";
  for (const [level, re] of LEVELS) if (re.test(word)) return level;
  return "";
}

/** The newest `capacity` items (lines and markers), each with a sequence number that is never reused. */
class Kept {
  constructor(capacity) {
    this.capacity = capacity;
    this.items = [];
    this.first = 0; // sequence number of items[0]
  }

  /** One past the newest sequence number. */
  get end() {
    return this.first + this.items.length;
  }

  /** The oldest sequence number still kept. */
  get oldest() {
    return Math.max(this.first, this.end - this.capacity);
  }

  get size() {
    return this.end - this.oldest;
  }

  push(item) {
    this.items.push(item);
    // Drop the evicted in bulk now and then, not one shift() per line.
    if (this.items.length >= 2 * this.capacity) {
      const excess = this.items.length - this.capacity;
      this.items.splice(0, excess);
      this.first += excess;
    }
  }

  at(seq) {
    return this.items[seq - this.first];
  }

  clear() {
    this.first = this.end;
    this.items = [];
  }
}

/**
 * Lines and markers are kept (the newest maxLines) and drawn once per frame while following. The page
 * holds one unbroken run of kept items as rows, [domFirst, domEnd). While paused or scrolled up nothing
 * new is drawn, so the reader's place holds still; arrivals are counted for the "N new lines" button.
 * Log text only ever goes through textContent / text nodes, never HTML.
 */
export class TailView {
  constructor(container, newLinesButton, { maxLines = 5000, onRendered = () => {}, sourceClass = () => "src" } = {}) {
    this.container = container;
    this.sourceClass = sourceClass;
    this.button = newLinesButton;
    this.maxLines = maxLines;
    this.onRendered = onRendered;
    this.kept = new Kept(maxLines);
    this.domFirst = 0;
    this.domEnd = 0;
    this.paused = false;
    this.follow = true;
    this.unseen = 0;
    this.frame = 0;
    this.timer = 0;
    this.flooded = false;
    this.drawnAt = 0;
    this.ownScrollTop = -1;
    container.classList.add("following");
    container.addEventListener("scroll", () => this.onScroll());
    newLinesButton.addEventListener("click", () => this.jumpToEnd());
    // A layout change (panel shown, window resized) moves the end without a scroll event: stay on it.
    new ResizeObserver(() => {
      if (this.follow) this.scrollToEnd();
    }).observe(container);
  }

  /** Lines from one `lines` event, oldest first: { line, rules?, hl?, time, n } each. */
  pushLines(lines) {
    for (let i = Math.max(0, lines.length - this.maxLines); i < lines.length; i++) this.kept.push(lines[i]);
    this.schedule();
    if (this.paused || !this.follow) {
      this.unseen += lines.length;
      this.updateButton();
    }
  }

  /** A system notice shown between lines ("120 lines dropped"). */
  pushMarker(text) {
    this.kept.push({ marker: text });
    this.schedule();
  }

  clear() {
    this.kept.clear();
    this.domFirst = this.domEnd = this.kept.end;
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

  /** Lines and markers kept (the newest maxLines), drawn or not. */
  get keptLines() {
    return this.kept.size;
  }

  schedule() {
    if (this.paused || !this.follow || this.frame || this.timer) return;
    const wait = this.flooded ? this.drawnAt + FLOOD_FRAME_MS - performance.now() : 0;
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = 0;
        this.schedule();
      }, wait);
      return;
    }
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  /** Draw what arrived since the last frame (in a flood, only its last screenful), drop rows beyond FOLLOW_ROWS, stay at the end. */
  render() {
    if (this.paused || !this.follow || this.domEnd === this.kept.end) return;
    const end = this.kept.end;
    const screenful = Math.ceil(this.container.clientHeight / MIN_ROW_PX) + 10;
    const limit = this.flooded ? screenful : FOLLOW_ROWS; // a first burst (the history) is drawn in full
    this.flooded = end - this.domEnd > screenful;
    this.drawnAt = performance.now();
    if (end - this.domEnd > limit || this.domEnd < this.kept.oldest) {
      this.container.replaceChildren(); // everything on the page is older than what is about to be drawn
      this.domFirst = this.domEnd = end - Math.min(limit, this.kept.size);
    }
    this.container.appendChild(this.rows(this.domEnd, end));
    this.domEnd = end;
    this.trim(Math.max(this.kept.oldest, this.domEnd - FOLLOW_ROWS));
    this.scrollToEnd();
    this.onRendered();
  }

  /** Rows for kept items [from, to). */
  rows(from, to) {
    const fragment = document.createDocumentFragment();
    for (let seq = from; seq < to; seq++) {
      const item = this.kept.at(seq);
      fragment.appendChild(item.marker === undefined ? this.lineElement(item) : markerElement(item.marker));
    }
    return fragment;
  }

  /** Remove the rows before sequence number `first` in one range operation. */
  trim(first) {
    const excess = Math.min(first, this.domEnd) - this.domFirst;
    if (excess <= 0) return;
    const range = document.createRange();
    range.setStartBefore(this.container.firstChild);
    range.setEndAfter(this.container.children[excess - 1]);
    range.deleteContents();
    this.domFirst += excess;
  }

  /** The reader scrolled near the top: draw older kept rows above, keeping what they look at in place. */
  drawOlder() {
    const from = Math.max(this.kept.oldest, this.domFirst - OLDER_ROWS);
    if (from >= this.domFirst) return; // nothing older kept, or the page's rows are older than anything kept
    const c = this.container;
    const [height, top] = [c.scrollHeight, c.scrollTop];
    c.prepend(this.rows(from, this.domFirst));
    this.domFirst = from;
    // Scroll anchoring usually keeps the place; at the very top it may not, so check.
    if (c.scrollTop === top) c.scrollTop = top + (c.scrollHeight - height);
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
    if (atEnd !== this.follow) {
      this.setFollow(atEnd);
      if (atEnd && !this.paused) {
        this.unseen = 0;
        this.schedule();
      }
      this.updateButton();
    }
    if (!this.follow && c.scrollTop < OLDER_MARGIN_PX) this.drawOlder();
  }

  /** While following we scroll ourselves; otherwise the browser's scroll anchoring keeps the user's place. */
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

  /** A line's row; in the all-sources view (the line names its source) it starts with its source's coloured tag. */
  lineElement(evt) {
    const row = lineElement(evt);
    if (typeof evt.source === "string") {
      const tag = document.createElement("span");
      tag.className = this.sourceClass(evt.source);
      tag.textContent = evt.source;
      row.prepend(tag);
    }
    return row;
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
  if (typeof evt.cut === "number") {
    const cut = document.createElement("span");
    cut.className = "cut";
    cut.textContent = ` … [cut: the line has ${evt.cut} characters]`;
    text.appendChild(cut);
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
