// GET /report: the self-contained HTML traffic report of a running stats job, from the reports and alerts the hub
// holds.
import type { FastifyInstance } from "fastify";
import { ReportCollector } from "../stats/html-collect.js";
import { REPORT_CSP, renderHtmlReport } from "../stats/html.js";
import type { StatsReport } from "../stats/report.js";
import type { WebHub } from "./hub.js";
import { queryString } from "./http.js";

/** The report of ?job=NAME, or of the only (first) stats job; 404 when there is none. */
export function registerReportRoute(app: FastifyInstance, deps: { hub: WebHub }): void {
  app.get(
    "/report",
    {
      // After the server's own headers: this page's policy allows its inline style (by hash) and no script at all.
      onSend: async (_request, reply, payload) => {
        reply.header("content-security-policy", REPORT_CSP).header("cache-control", "no-store");
        return payload;
      },
    },
    async (request, reply) => {
      const stats = deps.hub.stats();
      const job = queryString(request, "job") ?? Object.keys(stats)[0];
      const entries = job === undefined ? undefined : stats[job];
      if (job === undefined || !entries) {
        const message = job === undefined ? "no stats job is running" : "no stats job of that name";
        return reply.code(404).type("text/plain; charset=utf-8").send(`${message}\n`);
      }
      const collector = new ReportCollector();
      // Reports and alerts merged in time order, so each alert period opens and closes where it happened.
      const alerts = deps.hub.alerts().filter((a) => a.rule === job && (a.kind === "alert" || a.kind === "recovery"));
      let next = 0;
      for (const entry of entries) {
        const report = entry.report as StatsReport;
        for (; next < alerts.length && (alerts[next]?.time ?? Infinity) <= report.to; next++)
          addAlert(collector, alerts[next]);
        if (typeof report?.to === "number") collector.addReport(report);
      }
      for (; next < alerts.length; next++) addAlert(collector, alerts[next]);
      const html = renderHtmlReport(collector.result(), { title: job, generated: Date.now() });
      return reply.type("text/html; charset=utf-8").send(html);
    },
  );
}

function addAlert(collector: ReportCollector, alert: ReturnType<WebHub["alerts"]>[number] | undefined): void {
  if (!alert) return;
  if (alert.kind === "recovery") return collector.closeAlert(alert.time);
  const rate = typeof alert.data?.rate === "number" ? alert.data.rate : 0;
  collector.openAlert({ time: alert.time, message: alert.message, fields: { rate } });
}
