// Helpers for the browser tests: Debian's Chromium through playwright-core, pages that record their errors.
import fs from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
import { waitFor } from "./helpers.js";

export const CHROMIUM = "/usr/bin/chromium";
export const haveChromium = fs.existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

export interface OpenPage {
  page: Page;
  dialogs: string[];
  /** Page errors and console errors (CSP violations show up there). */
  errors: string[];
  /** Paths of the requests the page made (query included). */
  requests: string[];
}

/** A page in a context of its own that records dialogs, errors and the requests it makes. */
export async function openPage(browser: Browser, url: string): Promise<OpenPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const opened: OpenPage = { page, dialogs: [], errors: [], requests: [] };
  page.on("dialog", (dialog) => {
    opened.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on("pageerror", (err) => opened.errors.push(err.message));
  page.on("console", (msg) => {
    if (msg.type() === "error") opened.errors.push(msg.text());
  });
  page.on("request", (request) => {
    const { pathname, search } = new URL(request.url());
    opened.requests.push(pathname + search);
  });
  await page.goto(url);
  return opened;
}

/** The text of the log lines on the page (markers and source tags left out). */
export const logTexts = (page: Page): Promise<string[]> =>
  page.$$eval("#log .line:not(.marker) .text", (els) => els.map((e) => e.textContent ?? ""));

export const connState = (page: Page): Promise<string | undefined> =>
  page.$eval("#conn", (el) => (el as HTMLElement).dataset.state);

export async function waitForLine(page: Page, text: string): Promise<void> {
  await waitFor(async () => (await logTexts(page)).includes(text), `line "${text}" on the page`);
}
