// Every HTTP response a scenario receives goes through here: it is matched to its spec operation, validated,
// and recorded for the scenario now running (problems fail it; operations feed the coverage table).
import https from "node:https";
import { SpecValidator } from "./spec.mjs";

let validator;
export function specValidator() {
    validator ??= new SpecValidator();
    return validator;
}

/** What one scenario saw: the operations it called, spec violations, and notes. */
export class Recording {
    constructor(name) {
        this.name = name;
        this.operations = new Set();
        this.problems = [];
        this.notes = [];
        this.requests = 0;
        // Rejects at the first spec violation, so a scenario stops there instead of waiting on to a timeout.
        this.violated = new Promise((_, reject) => (this.reject = reject));
        this.violated.catch(() => {});
    }
}

export class SpecViolation extends Error {}

let current = null;
export function record(recording) {
    current = recording;
}

const bases = new Set();
/** Base URLs whose path prefix is not part of the Matrix path (a homeserver served under /matrix, say). */
export function addBaseUrl(url) {
    bases.add(url.replace(/\/$/, ""));
}

function matrixPath(url) {
    for (const base of bases) {
        const prefix = new URL(base).pathname.replace(/\/$/, "");
        if (url.startsWith(base) && prefix) return new URL(url).pathname.slice(prefix.length);
    }
    return new URL(url).pathname;
}

/** Validates one response and records it on the running scenario. */
export function observe(method, url, status, contentType, bodyText, requestBody) {
    let sent;
    try {
        sent = typeof requestBody === "string" ? JSON.parse(requestBody) : undefined;
    } catch {
        sent = undefined; // not JSON (a media upload)
    }
    const result = specValidator().check(method.toUpperCase(), matrixPath(url), status, contentType, bodyText ?? "", sent);
    if (!current) return result;
    current.requests++;
    if (result.operation) current.operations.add(result.operation);
    else current.notes.push(`${method} ${new URL(url).pathname}: not an endpoint of the spec; not validated`);
    current.problems.push(...result.problems);
    if (result.problems.length) current.reject(new SpecViolation(result.problems[0]));
    current.notes.push(...result.notes);
    return result;
}

/** A fetch for matrix-js-sdk's `fetchFn`: the real fetch, with every response validated on the way back. */
export async function validatingFetch(input, init = {}) {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = init.method || (typeof input === "object" && input.method) || "GET";
    const response = await fetch(input, init);
    const type = response.headers.get("content-type") ?? "";
    // Media downloads are not JSON; their schema (if any) says so and the body is left alone.
    const text = /json/.test(type) || response.status >= 400 || type === "" ? await response.clone().text() : null;
    observe(method, url, response.status, type, text, init.body);
    return response;
}

/**
 * A plain HTTPS request to a federation listener (self-signed certificates accepted: test networks only),
 * validated like the client's. Resolves to { status, headers, text, json }.
 */
export function federationRequest(method, url, body) {
    return new Promise((resolve, reject) => {
        const req = https.request(url, { method, rejectUnauthorized: false, headers: body ? { "content-type": "application/json" } : {} }, (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (c) => (text += c));
            res.on("end", () => {
                observe(method, url, res.statusCode, res.headers["content-type"], text, body ? JSON.stringify(body) : undefined);
                let json;
                try { json = JSON.parse(text); } catch { json = undefined; }
                resolve({ status: res.statusCode, headers: res.headers, text, json });
            });
        });
        req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${url}: no answer in 30 s`)));
        req.on("error", reject);
        if (body) req.write(JSON.stringify(body));
        req.end();
    });
}
