// The side panel: req/s chart (uPlot) and top sections of a stats job, and the alert history; pushed by /api/events.
/* global document, window, uPlot */
import { openEvents } from "./stream.js";

/** As many as the server keeps: points of a job's chart, and alerts. */
const MAX_POINTS = 360;
const MAX_ALERTS = 500;

/**
 * Follow /api/events: a snapshot of every job and the alerts on each (re)connect, then each report and alert as it
 * comes. The panel shows itself once there is anything to show.
 */
export function startTrafficPanel(elements) {
  const panel = new TrafficPanel(elements);
  let jobs = [];
  let alerts = [];
  const onEvent = (evt) => {
    if (evt.type === "stats") jobs = evt.jobs;
    else if (evt.type === "alerts") alerts = evt.alerts;
    else if (evt.type === "report") jobs = withReport(jobs, evt);
    else if (evt.type === "alert") alerts = [...alerts.slice(1 - MAX_ALERTS), evt.alert];
    else return;
    panel.update(jobs, alerts);
  };
  openEvents({ path: "/api/events", params: {}, onEvent });
  return panel;
}

/** The jobs with one more report: its point added to the chart, the latest details replaced. */
function withReport(jobs, evt) {
  const { type: _type, point, ...latest } = evt;
  const old = jobs.find((j) => j.job === evt.job);
  const job = { ...latest, points: [...(old?.points ?? []).slice(1 - MAX_POINTS), point] };
  return old ? jobs.map((j) => (j === old ? job : j)) : [...jobs, job];
}

class TrafficPanel {
  constructor(el) {
    this.el = el;
    this.chart = null;
    this.job = "";
    el.job.addEventListener("change", () => {
      this.job = el.job.value;
      this.render();
    });
    window.addEventListener("resize", () => this.resize());
  }

  update(jobs, alerts) {
    this.jobs = jobs;
    this.el.side.hidden = jobs.length === 0 && alerts.length === 0;
    this.el.noStats.hidden = jobs.length > 0;
    this.el.traffic.classList.toggle("empty", jobs.length === 0);
    syncOptions(
      this.el.job,
      jobs.map((j) => j.job),
    );
    if (!jobs.some((j) => j.job === this.job)) this.job = jobs[0]?.job ?? "";
    this.el.job.value = this.job;
    this.render();
    renderAlerts(this.el.alertList, this.el.noAlerts, alerts);
  }

  render() {
    const job = (this.jobs ?? []).find((j) => j.job === this.job);
    if (!job) return;
    const points = job.points.filter((p) => p.rate !== null);
    const data = [points.map((p) => p.t / 1000), points.map((p) => p.rate), points.map(() => job.threshold)];
    this.drawChart(data);
    this.el.now.textContent = nowText(job, points[points.length - 1]);
    this.el.now.classList.toggle("firing", job.firing === true);
    renderSections(this.el.sections.tBodies[0], job.sections);
  }

  drawChart(data) {
    if (typeof uPlot === "undefined") return; // the chart library failed to load: the table still works
    if (this.chart) {
      this.chart.setData(data);
      return;
    }
    const css = window.getComputedStyle(document.documentElement);
    const axis = {
      stroke: css.getPropertyValue("--muted").trim() || "#999",
      grid: { stroke: "rgba(128,128,128,0.2)" },
      ticks: { show: false },
    };
    this.chart = new uPlot(
      {
        width: this.width(),
        height: 160,
        scales: { x: { time: true } },
        series: [
          {},
          {
            label: "req/s",
            stroke: "#4ea1ff",
            fill: "rgba(78,161,255,0.15)",
            width: 2,
            value: (_u, v) => (v == null ? "–" : v.toFixed(2)),
          },
          {
            label: "alert above",
            stroke: "#ff6b6b",
            dash: [6, 4],
            width: 1,
            points: { show: false },
            value: (_u, v) => (v == null ? "–" : String(v)),
          },
        ],
        axes: [axis, axis],
        legend: { show: true },
      },
      data,
      this.el.chart,
    );
  }

  width() {
    return Math.max(200, this.el.chart.clientWidth || 320);
  }

  resize() {
    if (this.chart) this.chart.setSize({ width: this.width(), height: 160 });
  }
}

/** "4.20 req/s · 42 hits · alert above 10 req/s (firing)" for the latest report. */
function nowText(job, latest) {
  if (!latest) return "no report yet";
  const parts = [`${latest.rate.toFixed(2)} req/s`];
  if (latest.hits !== null) parts.push(`${latest.hits} hits`);
  if (job.threshold !== null) parts.push(`alert above ${job.threshold} req/s${job.firing ? " (firing)" : ""}`);
  return parts.join(" · ");
}

function syncOptions(select, names) {
  const current = [...select.options].map((o) => o.value);
  if (current.length === names.length && current.every((v, i) => v === names[i])) return;
  select.replaceChildren(...names.map((name) => option(name)));
  select.hidden = names.length < 2;
}

function option(name) {
  const o = document.createElement("option");
  o.value = name;
  o.textContent = name;
  return o;
}

function renderSections(tbody, sections) {
  tbody.replaceChildren(
    ...sections.slice(0, 10).map((s) => {
      const tr = document.createElement("tr");
      const name = document.createElement("td");
      const hits = document.createElement("td");
      name.textContent = s.name;
      hits.textContent = String(s.hits);
      tr.append(name, hits);
      return tr;
    }),
  );
}

function renderAlerts(list, empty, alerts) {
  empty.hidden = alerts.length > 0;
  list.replaceChildren(
    ...alerts
      .slice(-100)
      .reverse()
      .map((a) => {
        const li = document.createElement("li");
        li.className = `alert kind-${a.kind}`;
        const when = document.createElement("time");
        when.textContent = new Date(a.time).toLocaleTimeString();
        const rule = document.createElement("strong");
        rule.textContent = a.rule;
        const message = document.createElement("span");
        message.textContent = a.message;
        li.append(when, " ", rule, " ", message);
        return li;
      }),
  );
}
