// Runs Lighthouse (its default mobile settings) on one page in a fresh Chromium, as a visitor
// with the given cookies in the browser would load it: `node lighthouse.mjs URL OUT [COOKIES]
// [STORAGE]`, COOKIES as a `Cookie` header (`a=1; b=2`), STORAGE as a JSON object of the
// origin's localStorage (what a returning visitor's browser keeps, such as the cookie choice). The CLI's `--extra-headers` only adds a header to
// each request, so a page's script (which reads `document.cookie` to tell a returning visitor)
// never sees them; here they are set in the browser's own jar, and the HTTP cache is emptied so
// every file is fetched as on a first visit.
// Lighthouse and puppeteer-core come from `$ZIMAGE_TOOLS/node_modules` (scripts/deps.sh bench).
import { writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [url, out, cookieHeader, storage] = process.argv.slice(2);
if (!url || !out) {
  console.error("usage: node lighthouse.mjs URL OUT [COOKIES]");
  process.exit(2);
}
const tools = process.env.ZIMAGE_TOOLS;
const load = (path) => import(pathToFileURL(`${tools}/node_modules/${path}`).href);
const { default: lighthouse } = await load("lighthouse/core/index.js");
const { default: puppeteer } = await load("puppeteer-core/lib/esm/puppeteer/puppeteer-core.js");

const browser = await puppeteer.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage();
  const cookies = (cookieHeader || "")
    .split(";")
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf("=");
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url };
    });
  if (cookies.length > 0) {
    await page.setCookie(...cookies);
  }
  if (storage) {
    // Written from a page of the origin that loads nothing (the API's health check).
    await page.goto(new URL("/healthz", url).href);
    await page.evaluate((entries) => {
      for (const [key, value] of Object.entries(entries)) {
        localStorage.setItem(key, value);
      }
    }, JSON.parse(storage));
  }
  const cdp = await page.createCDPSession();
  await cdp.send("Network.clearBrowserCache");
  const result = await lighthouse(
    url,
    {
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "accessibility", "best-practices", "seo"],
      // Storage is fresh already (a new profile); resetting it would drop the cookies.
      disableStorageReset: true,
    },
    undefined,
    page,
  );
  if (!result) {
    throw new Error("Lighthouse returned no result");
  }
  // A failed trace (NO_NAVSTART, NO_FCP, …) still makes a report, with every figure missing.
  if (result.lhr.runtimeError) {
    throw new Error(`Lighthouse: ${result.lhr.runtimeError.code}`);
  }
  writeFileSync(out, result.report);
} finally {
  await browser.close();
}
