// Parse Mermaid diagrams with the real Mermaid parser (mermaid.parse), under jsdom.
// Usage: node parse.mjs FILE...   (each file holds one diagram; prints OK/FAIL per file)
import { JSDOM } from "jsdom";
import fs from "node:fs";
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMPurify = undefined;
const { default: mermaid } = await import("mermaid");
mermaid.initialize({ startOnLoad: false, securityLevel: "strict" });
let failed = 0;
for (const file of process.argv.slice(2)) {
  const text = fs.readFileSync(file, "utf8");
  try {
    const result = await mermaid.parse(text);
    console.log(`OK ${file} ${result.diagramType}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${file}: ${String(err.message || err).split("\n").slice(0, 4).join(" | ")}`);
  }
}
process.exit(failed ? 1 : 0);
