// Starts Hearth servers for the suite: the shaded jar through ./hearth, a fresh data directory and a scratch
// database on the local MariaDB each, the test-network switches on, and stops them again.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import mariadb from "mariadb";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const DB = { host: "127.0.0.1", port: 3306, user: "root", password: "" };
const START_TIMEOUT_MS = 180_000;
// Scratch databases and data directories older than this are left over from killed runs: removed at the next start.
const STALE_SECONDS = 6 * 3600;

export function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address();
            server.close(() => resolve(port));
        });
    });
}

async function admin(sql) {
    const conn = await mariadb.createConnection({ ...DB, connectTimeout: 5000 });
    try {
        return await conn.query(sql);
    } finally {
        await conn.end();
    }
}

async function dropStale() {
    const now = Math.floor(Date.now() / 1000);
    for (const name of fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith("hearth-conf-"))) {
        const dir = path.join(os.tmpdir(), name);
        if (now - fs.statSync(dir).mtimeMs / 1000 > STALE_SECONDS) fs.rmSync(dir, { recursive: true, force: true });
    }
    for (const row of await admin("SHOW DATABASES LIKE 'hearth\\_conf\\_%'")) {
        const name = Object.values(row)[0];
        const epoch = Number(/^hearth_conf_(\d+)_/.exec(name)?.[1]);
        if (epoch && now - epoch > STALE_SECONDS) await admin(`DROP DATABASE IF EXISTS \`${name}\``);
    }
}

const running = new Set();
// Background jobs of a non-interactive shell read /dev/null, so the lifeline is read through fd 3.
const LIFELINE = 'exec 3<&0; "$0" run & pid=$!; (cat <&3 >/dev/null; kill $pid 2>/dev/null) & wait $pid';

/** Stops every server started by this process, those still starting included. */
export function stopAll() {
    return Promise.allSettled([...running].map((h) => h.stop()));
}

export class HearthProcess {
    /** `sharedSecret` also enables Synapse-style shared-secret registration (open registration stays on). */
    static async start(label, { sharedSecret } = {}) {
        let database = `hearth_conf_${Math.floor(Date.now() / 1000)}_${crypto.randomBytes(4).toString("hex")}`;
        try {
            await dropStale();
            await admin(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
        } catch (e) {
            // Like the Java integration tests: without the local MariaDB, Hearth's embedded one (slower to start).
            console.warn(`no MariaDB on 127.0.0.1:3306 (${e.message}); Hearth ${label} uses its embedded database`);
            database = null;
        }
        const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `hearth-conf-${label}-`));
        // Optional plugin jars (HEARTH_TEST_PLUGINS, comma-separated paths) go to the default plugin directory;
        // scenarios of a plugin the server lacks are skipped.
        for (const jar of (process.env.HEARTH_TEST_PLUGINS ?? "").split(",").filter(Boolean)) {
            if (!fs.existsSync(path.resolve(jar))) {
                console.warn(`conformance: no plugin jar ${jar} (not built?): its scenarios are skipped`);
                continue;
            }
            fs.mkdirSync(path.join(dataDir, "plugins"), { recursive: true });
            fs.copyFileSync(path.resolve(jar), path.join(dataDir, "plugins", path.basename(jar)));
        }
        // The federation port is chosen here because the server name must carry it (localhost:<port>) for
        // other servers to reach this one without .well-known or SRV.
        const federationPort = await freePort();
        const serverName = `localhost:${federationPort}`;
        const env = {
            ...process.env,
            HEARTH_SERVER_NAME: serverName, HEARTH_DATA_DIR: dataDir,
            HEARTH_CLIENT_PORT: "0", HEARTH_FEDERATION_PORT: String(federationPort),
            ...(database ? {
                HEARTH_DATABASE_URL: `jdbc:mariadb://127.0.0.1:3306/${database}`,
                HEARTH_DATABASE_USER: "root", HEARTH_DATABASE_PASSWORD: "",
            } : {}),
            HEARTH_OPEN_REGISTRATION: "true", HEARTH_RATE_LIMITS: "off",
            ...(sharedSecret ? { HEARTH_REGISTRATION_SHARED_SECRET: sharedSecret } : {}),
            HEARTH_FEDERATION_VERIFY_TLS: "false", HEARTH_FEDERATION_ALLOW_PRIVATE_ADDRESSES: "true",
            // Disappearing messages: retention on, purged every second so the scenario sees it within seconds.
            HEARTH_RETENTION_ENABLED: "true", HEARTH_RETENTION_PURGE_INTERVAL_MS: "1000",
            // TURN credentials for the calls scenario (no TURN server runs: only the credentials are checked).
            HEARTH_TURN_URIS: "turn:turn.invalid:3478?transport=udp", HEARTH_TURN_SHARED_SECRET: "conformance-turn",
        };
        const self = new HearthProcess(label, database, dataDir, serverName, env);
        running.add(self);
        await self.launch().catch(async (e) => {
            await self.stop();
            throw e;
        });
        return self;
    }

    constructor(label, database, dataDir, serverName, env) {
        Object.assign(this, { label, database, dataDir, serverName, env });
        this.logFile = path.join(dataDir, "hearth.log");
    }

    // Spawns Hearth with this.env and resolves once it prints its URLs (the log is appended to across restarts).
    async launch() {
        const { label, logFile } = this;
        const log = fs.createWriteStream(logFile, { flags: "a" });
        // stdin is a lifeline: when it closes (stop(), or this process dying however it dies) the shell sends
        // Hearth SIGTERM, so no server outlives the suite. Its own process group lets stop() end both for good.
        const child = spawn("sh", ["-c", LIFELINE, path.join(REPO, "hearth")],
            { env: this.env, stdio: ["pipe", "pipe", "pipe"], detached: true });
        child.stdin.on("error", () => {});
        child.stderr.pipe(log);
        this.child = child;
        const started = Date.now();
        await new Promise((resolve, reject) => {
            let out = "";
            const timer = setTimeout(() => reject(new Error(`Hearth ${label} did not start in ${START_TIMEOUT_MS / 1000} s (log: ${logFile})`)), START_TIMEOUT_MS);
            child.stdout.on("data", (chunk) => {
                log.write(chunk);
                out += chunk;
                const client = /client URL:\s*(\S+)/.exec(out), federation = /federation URL:\s*(\S+)/.exec(out);
                if (client && federation) {
                    this.clientUrl = client[1].replace(/\/$/, "");
                    this.federationUrl = federation[1].replace(/\/$/, "");
                    clearTimeout(timer);
                    resolve();
                }
            });
            child.once("exit", (code) => {
                clearTimeout(timer);
                const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n") : "";
                reject(new Error(`Hearth ${label} exited with ${code} while starting:\n${tail}`));
            });
        });
        this.startMillis = Date.now() - started;
    }

    /**
     * Starts the process again after terminate(), on the same database, data directory and ports: the client port
     * chosen at the first start is kept so existing clients keep their base URL.
     */
    async relaunch() {
        this.env = { ...this.env, HEARTH_CLIENT_PORT: new URL(this.clientUrl).port };
        await this.launch();
    }

    /** Stops the process (SIGTERM, as an operator would), keeping its database and data directory. */
    async terminate() {
        const child = this.child;
        if (child && child.exitCode === null && child.signalCode === null) {
            const exited = new Promise((resolve) => child.once("exit", resolve));
            child.stdin.end();
            const timer = setTimeout(() => {
                try { process.kill(-child.pid, "SIGKILL"); } catch { /* already gone */ }
            }, 20_000);
            await exited;
            clearTimeout(timer);
        }
    }

    async stop() {
        running.delete(this);
        await this.terminate();
        if (this.database) await admin(`DROP DATABASE IF EXISTS \`${this.database}\``).catch((e) =>
            console.error(`conformance: could not drop ${this.database}: ${e.message}`));
        if (!process.env.HEARTH_TEST_KEEP_DATA) fs.rmSync(this.dataDir, { recursive: true, force: true });
    }
}
