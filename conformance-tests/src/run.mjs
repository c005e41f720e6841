#!/usr/bin/env node
// The conformance suite: starts Hearth (or targets the homeservers in HEARTH_TEST_BASE_URL[_2]), runs every
// scenario, prints `PASS name` / `FAIL name: reason` and `N passed, M failed`, writes a JUnit report, and
// fails when a scenario listed in expected-to-pass.txt fails.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { HearthProcess, stopAll } from "./hearth.mjs";
import { Target } from "./harness.mjs";
import { addBaseUrl, record, Recording, SpecViolation, specValidator } from "./http.mjs";
import { coverage } from "./coverage.mjs";
import * as foundation from "./scenarios/foundation.mjs";
import * as client from "./scenarios/client.mjs";
import * as relations from "./scenarios/relations.mjs";
import * as media from "./scenarios/media.mjs";
import * as search from "./scenarios/search.mjs";
import * as notifications from "./scenarios/notifications.mjs";
import * as e2ee from "./scenarios/e2ee.mjs";
import * as e2eeCrypto from "./scenarios/e2ee-crypto.mjs";
import * as directory from "./scenarios/directory.mjs";
import * as spaces from "./scenarios/spaces.mjs";
import * as users from "./scenarios/users.mjs";
import * as pushers from "./scenarios/pushers.mjs";
import * as keyBackup from "./scenarios/key-backup.mjs";
import * as reports from "./scenarios/reports.mjs";
import * as badInput from "./scenarios/bad-input.mjs";
import * as stickers from "./scenarios/stickers.mjs";
import * as stories from "./scenarios/stories.mjs";
import * as broadcast from "./scenarios/broadcast.mjs";
import * as calls from "./scenarios/calls.mjs";
import * as invites from "./scenarios/invites.mjs";
import * as callsBot from "./scenarios/calls-bot.mjs";
import * as receipts from "./scenarios/receipts.mjs";
import * as receiptsBot from "./scenarios/receipts-bot.mjs";
import * as federation from "./scenarios/federation.mjs";
import * as retention from "./scenarios/retention.mjs";
import * as delayed from "./scenarios/delayed-events.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const SCENARIOS = [
    foundation.versions, foundation.wellKnownClient, foundation.wellKnownServer, foundation.serverKeys,
    foundation.unknownEndpoint, foundation.cors, foundation.federationVersion, foundation.keyNotary,
    client.registerLogin, client.roomStateProfile, client.coreClient, client.federationChat,
    relations.editReact, relations.threads, media.mediaThumbnail,
    search.search, notifications.mentionHighlight, notifications.muteRoom,
    e2ee.e2eeKeys, e2eeCrypto.e2eeRoundTrip, e2eeCrypto.e2eeAcrossServers,
    e2eeCrypto.e2eeGroup, e2eeCrypto.e2eeGroupAcrossServers, e2eeCrypto.e2eeBackupRestore, e2eeCrypto.e2eeCrossSigningVerified,
    directory.publicRooms, directory.roomUpgrade, directory.peekWorldReadable,
    spaces.spacesHierarchy, users.userDirectory, pushers.pushers,
    keyBackup.keyBackup, reports.reports, badInput.relationsBadInput, badInput.mediaBadInput,
    stickers.stickers, stories.stories, broadcast.broadcast, calls.calls, invites.invites, receipts.receipts, receiptsBot.receiptsBot, callsBot.callsBot,
    federation.federationMembership, federation.federationBothWays, federation.federationBackfill, federation.federationRestart,
    federation.federationConcurrentPowerLevels,
    retention.disappearingMessages, delayed.delayedEvents,
];
const DEFAULT_TIMEOUT_MS = 60_000;
// The whole run stays within this (CI's .ci/run has 20 minutes in all): a scenario gets at most what is left,
// and scenarios after it fail as not run.
const BUDGET_MS = Number(process.env.HEARTH_TEST_BUDGET_SECONDS ?? 600) * 1000;

const { values: args } = parseArgs({
    options: {
        only: { type: "string" },                 // comma-separated scenario names
        list: { type: "boolean" },
        "all-must-pass": { type: "boolean" },     // every scenario is required, not only the expected list
        coverage: { type: "boolean" },            // probe the server(s) at the end and print the totals
        "update-coverage": { type: "boolean" },   // ...and rewrite spec/STATUS.md and coverage/scenarios.json
        junit: { type: "string", default: path.join(ROOT, "target", "conformance-reports", "TEST-conformance.xml") },
        expected: { type: "string", default: path.join(ROOT, "expected-to-pass.txt") },
    },
});

if (args.list) {
    for (const s of SCENARIOS) console.log(s.name);
    process.exit(0);
}

// matrix-js-sdk logs through console; its chatter goes to a file so that stdout is the report.
const logPath = path.join(ROOT, "target", "conformance.log");
fs.mkdirSync(path.dirname(logPath), { recursive: true });
const logFd = fs.openSync(logPath, "w");
const out = (line) => process.stdout.write(line + "\n");
process.stdout.on("error", () => {}); // a closed pipe (| head) must not kill the run before it stops its servers
for (const level of ["log", "debug", "info", "warn", "error", "trace"]) {
    console[level] = (...parts) => fs.writeSync(logFd, `[${level}] ${parts.map(printable).join(" ")}\n`);
}
function printable(value) {
    if (typeof value === "string") return value;
    if (value?.stack) return value.stack;
    try {
        return JSON.stringify(value);
    } catch {
        return String(value); // circular: the library logs its own objects now and then
    }
}
process.on("unhandledRejection", (e) => console.error("unhandled rejection:", e));

function readExpected(file) {
    if (!fs.existsSync(file)) return new Set();
    const names = fs.readFileSync(file, "utf8").split("\n").map((l) => l.replace(/#.*/, "").trim()).filter(Boolean);
    const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
    if (unknown.length) {
        out(`conformance: ${path.basename(file)} names unknown scenarios: ${unknown.join(", ")}`);
        process.exit(2);
    }
    return new Set(names);
}

const registration = process.env.HEARTH_TEST_REGISTRATION ?? "open";
if (registration !== "open" && !registration.startsWith("shared-secret:")) {
    out(`conformance: HEARTH_TEST_REGISTRATION must be "open" or "shared-secret:<secret>", not "${registration}"`);
    process.exit(2);
}

// Targets: given by URL, or Hearth servers started on demand (the second only for two-server scenarios).
const suiteStarted = Date.now();
const targets = [];
const pending = [];
// The promise is kept, so a server that failed to start fails every scenario at once instead of restarting.
function target(index) {
    pending[index] ??= createTarget(index);
    return pending[index];
}

async function createTarget(index) {
    const external = index === 0 ? process.env.HEARTH_TEST_BASE_URL : process.env.HEARTH_TEST_BASE_URL_2;
    const federationUrl = index === 0 ? process.env.HEARTH_TEST_FEDERATION_URL : process.env.HEARTH_TEST_FEDERATION_URL_2;
    let t;
    if (process.env.HEARTH_TEST_BASE_URL) {
        if (!external) return null;
        t = new Target({ label: `hs${index + 1}`, clientUrl: external.replace(/\/$/, ""),
            federationUrl: federationUrl?.replace(/\/$/, ""), serverName: undefined, registration });
    } else {
        const sharedSecret = registration.startsWith("shared-secret:") ? registration.slice("shared-secret:".length) : undefined;
        const hearth = await HearthProcess.start(`hs${index + 1}`, { sharedSecret });
        out(`conformance: started Hearth hs${index + 1} ${hearth.serverName}${hearth.database ? "" : " (embedded database)"} in ${(hearth.startMillis / 1000).toFixed(1)} s (client ${hearth.clientUrl}, federation ${hearth.federationUrl})`);
        t = new Target({ label: `hs${index + 1}`, clientUrl: hearth.clientUrl,
            federationUrl: hearth.federationUrl, serverName: hearth.serverName, registration, process: hearth });
    }
    addBaseUrl(t.clientUrl);
    if (t.federationUrl) addBaseUrl(t.federationUrl);
    targets[index] = t;
    return t;
}

function withTimeout(promise, ms, name) {
    let timer;
    return Promise.race([promise, new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${name} did not finish in ${ms / 1000} s`)), ms);
    })]).finally(() => clearTimeout(timer));
}

const oneLine = (s) => String(s).replace(/\s*\n\s*/g, " | ");

async function runScenario(scenario) {
    const recording = new Recording(scenario.name);
    const started = Date.now();
    const result = { name: scenario.name, recording, notes: recording.notes };
    try {
        const hs1 = await target(0);
        const hs2 = scenario.servers === 2 ? await target(1) : undefined;
        if (scenario.servers === 2 && !hs2) return { ...result, skipped: "needs a second homeserver (HEARTH_TEST_BASE_URL_2)", millis: 0 };
        if (scenario.needs?.includes("restart") && !hs2?.process) {
            return { ...result, skipped: "needs a second homeserver started by the suite (to stop and restart it)", millis: 0 };
        }
        if (scenario.needs?.includes("federation") && !hs1.federationUrl) {
            return { ...result, skipped: "needs the federation URL (HEARTH_TEST_FEDERATION_URL)", millis: 0 };
        }
        for (const plugin of scenario.plugins ?? []) {
            if (!(await hs1.hasPlugin(plugin))) {
                return { ...result, skipped: `needs the ${plugin} plugin (HEARTH_TEST_PLUGINS=<its jar>)`, millis: 0 };
            }
        }
        const left = BUDGET_MS - (Date.now() - suiteStarted);
        if (left <= 0) return { ...result, failure: `not run: the suite's ${BUDGET_MS / 1000} s budget is used up`, millis: 0 };
        record(recording);
        try {
            const run = scenario.run({ hs1, hs2, note: (n) => recording.notes.push(n) });
            await withTimeout(Promise.race([run, recording.violated]),
                Math.min(scenario.timeoutMs ?? DEFAULT_TIMEOUT_MS, left), scenario.name);
        } finally {
            for (const t of targets) t?.stopClients();
        }
        if (recording.problems.length) result.failure = recording.problems.join("\n");
    } catch (e) {
        // matrix-js-sdk's MatrixError already names status, error and URL; a bare HTTP error may not.
        const http = e.httpStatus && !/MatrixError/.test(e.message) ? ` (HTTP ${e.httpStatus} from ${e.url ?? "?"})` : "";
        const problems = recording.problems.length ? "\n" + recording.problems.join("\n") : "";
        result.failure = e instanceof SpecViolation ? recording.problems.join("\n") : `${e.message}${http}${problems}`;
        result.stack = e.stack;
    } finally {
        record(null);
    }
    return { ...result, millis: Date.now() - started };
}

function junit(results, required, totalMillis) {
    const esc = (s) => String(s).replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" }[c]))
        .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
    const failures = results.filter((r) => r.failure && required(r.name)).length;
    const skipped = results.filter((r) => r.skipped || (r.failure && !required(r.name))).length;
    const cases = results.map((r) => {
        const open = `  <testcase classname="org.hearth.conformance" name="${esc(r.name)}" time="${(r.millis / 1000).toFixed(3)}"`;
        const notes = r.notes.length ? `\n    <system-out>${esc(r.notes.join("\n"))}</system-out>` : "";
        if (r.skipped) return `${open}>\n    <skipped message="${esc(r.skipped)}"/>${notes}\n  </testcase>`;
        if (r.failure && !required(r.name)) {
            return `${open}>\n    <skipped message="${esc("not expected to pass yet: " + oneLine(r.failure).slice(0, 500))}"/>${notes}\n  </testcase>`;
        }
        if (r.failure) {
            return `${open}>\n    <failure message="${esc(oneLine(r.failure).slice(0, 500))}">${esc(r.failure + "\n" + (r.stack ?? ""))}</failure>${notes}\n  </testcase>`;
        }
        return `${open}>${notes}\n  </testcase>`;
    });
    return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name="org.hearth.conformance" tests="${results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${(totalMillis / 1000).toFixed(3)}">\n${cases.join("\n")}\n</testsuite>\n`;
}

const expected = readExpected(args.expected);
const required = (name) => args["all-must-pass"] || expected.has(name);
const only = args.only?.split(",").map((s) => s.trim());
const chosen = only ? SCENARIOS.filter((s) => only.includes(s.name)) : SCENARIOS;
if (only && chosen.length !== only.length) {
    out(`conformance: unknown scenario in --only; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
    process.exit(2);
}

const results = [];
// Killed from outside (Ctrl-C, a Maven or CI timeout): stop the servers and drop their databases first.
for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, async () => {
        out(`conformance: ${signal}: stopping the servers`);
        await stopAll();
        process.exit(130);
    });
}
let exitCode = 0;
try {
    // Loading and compiling the spec takes seconds of CPU: done while the first server starts.
    const first = target(0).catch(() => undefined);
    const second = chosen.some((s) => s.servers === 2) ? target(1).catch(() => undefined) : undefined;
    specValidator();
    await Promise.all([first, second]);
    for (const scenario of chosen) {
        const r = await runScenario(scenario);
        results.push(r);
        const time = `(${(r.millis / 1000).toFixed(1)} s)`;
        if (r.skipped) out(`SKIP ${r.name}: ${r.skipped}`);
        else if (r.failure) {
            out(`FAIL ${r.name}: ${oneLine(r.failure)} ${time}${required(r.name) ? "" : " [not expected to pass yet]"}`);
        } else out(`PASS ${r.name} ${time}${required(r.name) ? "" : " [passes now: add it to expected-to-pass.txt]"}`);
        for (const note of new Set(r.notes)) console.info(`${r.name}: note: ${note}`);
    }
    if (args.coverage || args["update-coverage"]) {
        const t1 = await target(0);
        const totals = await coverage({
            clientUrl: t1.clientUrl, federationUrl: t1.federationUrl, update: args["update-coverage"],
            recorded: Object.fromEntries(results.map((r) => [r.name, { operations: [...r.recording.operations], passed: !r.failure && !r.skipped }])),
        });
        for (const line of totals) out(`coverage: ${line}`);
    }
} catch (e) {
    out(`conformance: ${e.stack ?? e}`);
    exitCode = 1;
} finally {
    await stopAll();
}

const totalMillis = Date.now() - suiteStarted;
fs.mkdirSync(path.dirname(args.junit), { recursive: true });
fs.writeFileSync(args.junit, junit(results, required, totalMillis));
const passed = results.filter((r) => !r.failure && !r.skipped).length;
const failed = results.filter((r) => r.failure).length;
const skipped = results.filter((r) => r.skipped).length;
const requiredFailed = results.filter((r) => r.failure && required(r.name)).map((r) => r.name);
const requiredSkipped = results.filter((r) => r.skipped && expected.has(r.name)).map((r) => r.name);
if (requiredFailed.length) {
    out(`conformance: required scenarios failed: ${requiredFailed.join(", ")}`);
    exitCode = 1;
}
if (requiredSkipped.length && !process.env.HEARTH_TEST_BASE_URL) {
    out(`conformance: expected-to-pass scenarios were skipped: ${requiredSkipped.join(", ")}`);
    exitCode = 1;
}
out(`conformance: ${(totalMillis / 1000).toFixed(1)} s; details in ${path.relative(process.cwd(), logPath)}, JUnit in ${path.relative(process.cwd(), args.junit)}`);
out(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
fs.closeSync(logFd);
process.exit(exitCode);
