// The Matrix spec's OpenAPI definitions as a response validator: finds the operation a request belongs to
// (path template + method, under the basePath of the file's `servers`) and checks the response body against
// that operation's schema for the status, with ajv (JSON Schema 2020-12, which OpenAPI 3.1 schemas are).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SPEC_DATA = path.resolve(process.env.HEARTH_SPEC_DATA
    ?? path.join(HERE, "..", "..", "..", "shared", "matrix-spec", "data"));

export const APIS = [
    { name: "Client-Server", folder: "client-server", listener: "client" },
    { name: "Server-Server", folder: "server-server", listener: "federation" },
    { name: "Application Service", folder: "application-service", listener: null },
];
const METHODS = ["get", "put", "post", "delete", "patch"];
// Schema keywords whose value is a schema, a map of schemas, or a list of schemas (JSON Schema 2020-12).
const ONE = new Set(["items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames",
    "unevaluatedItems", "unevaluatedProperties", "contentSchema"]);
const MAP = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
const LIST = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const ID_BASE = "https://matrix-spec.invalid/";

const docs = new Map();
function loadDoc(file) {
    if (!docs.has(file)) {
        const text = fs.readFileSync(file, "utf8");
        docs.set(file, file.endsWith(".json") ? JSON.parse(text) : yaml.load(text));
    }
    return docs.get(file);
}

function atPointer(doc, pointer) {
    let node = doc;
    for (const raw of pointer.split("/").slice(1)) {
        const part = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
        if (node == null || !(part in node)) throw new Error(`no ${pointer} in spec document`);
        node = node[part];
    }
    return node;
}

function basePath(doc) {
    for (const server of doc.servers ?? []) {
        const base = server.variables?.basePath?.default;
        if (base !== undefined) return base;
    }
    return "";
}

/** Every operation of the Client-Server (media included), Server-Server and Application Service APIs. */
export function operations() {
    const ops = [];
    for (const api of APIS) {
        const dir = path.join(SPEC_DATA, "api", api.folder);
        for (const name of fs.readdirSync(dir).sort()) {
            if (!name.endsWith(".yaml")) continue;
            const file = path.join(dir, name);
            const doc = loadDoc(file);
            if (!doc?.paths) continue;
            const base = basePath(doc);
            for (const [key, item] of Object.entries(doc.paths)) {
                // The spec gives a second operation on the same path a trailing space ("/rooms/{roomId}/invite ").
                const template = key.trim();
                for (const method of METHODS) {
                    const op = item[method];
                    if (!op) continue;
                    ops.push({
                        api: api.name, listener: api.listener, file, fileName: `${api.folder}/${name}`,
                        id: op.operationId ?? `${method} ${template}`, method: method.toUpperCase(),
                        path: base + template, deprecated: Boolean(op.deprecated), op,
                        pointer: `/paths/${key.replace(/~/g, "~0").replace(/\//g, "~1")}/${method}`,
                        ...compileTemplate(base + template),
                    });
                }
            }
        }
    }
    return ops;
}

function compileTemplate(template) {
    const parts = template.split(/(\{[^}]+\})/);
    let literal = 0;
    const last = parts.length - 2;
    const source = parts.map((p, i) => {
        if (/^\{[^}]+\}$/.test(p)) return i === last && parts[parts.length - 1] === "" ? "([^/]*)" : "([^/]+)";
        literal += p.length;
        return p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join("");
    return { regex: new RegExp(`^${source}/?$`), literal };
}

export class SpecValidator {
    constructor() {
        this.ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
        addFormats(this.ajv);
        // The spec's own string formats (appendices "Identifier grammar", "Unpadded base64"), kept lenient on
        // purpose: historical identifiers are allowed, so only the sigil and shape are checked.
        const formats = {
            "mx-user-id": /^@[^\s]*:\S+$/, "mx-room-id": /^![^\s]+$/, "mx-event-id": /^\$[^\s]+$/,
            "mx-room-alias": /^#[^\s]*:\S+$/, "mx-server-name": /^\S+$/, "mx-mxc-uri": /^mxc:\/\/[^/\s]+\/\S+$/,
            "mx-unpadded-base64": /^[A-Za-z0-9+/]*$/, "mx-urlsafe-unpadded-base64": /^[A-Za-z0-9_-]*$/,
        };
        for (const [name, re] of Object.entries(formats)) this.ajv.addFormat(name, re);
        this.ajv.addFormat("int64", { type: "number", validate: (n) => Number.isInteger(n) });
        this.ajv.addFormat("float", { type: "number", validate: () => true });
        this.added = new Set();
        this.ops = operations();
        this.callable = this.ops.filter((o) => o.listener);
    }

    /**
     * The spec operation a request is for, or undefined for an endpoint the spec does not define. Operations
     * sharing a path and method (inviteUser and inviteBy3PID) are told apart by which request body schema
     * the request's body matches.
     */
    match(method, pathname, requestBody) {
        let best = [];
        for (const op of this.callable) {
            if (op.method !== method || !op.regex.test(pathname)) continue;
            if (!best.length || op.literal > best[0].literal) best = [op];
            else if (op.literal === best[0].literal) best.push(op);
        }
        if (best.length > 1 && requestBody !== undefined) {
            const fits = best.find((op) => {
                const pointer = `${op.pointer}/requestBody/content/application~1json/schema`;
                try {
                    atPointer(loadDoc(op.file), pointer);
                } catch {
                    return false;
                }
                return this.ajv.getSchema(this.addSchema(op.file, pointer))(requestBody);
            });
            if (fits) return fits;
        }
        return best[0];
    }

    schemaId(file, pointer) {
        return ID_BASE + path.relative(SPEC_DATA, file).split(path.sep).join("/") + (pointer ? "~ptr~" + pointer : "");
    }

    // Registers the schema at (file, pointer) and, transitively, every schema it references; returns its id.
    addSchema(file, pointer) {
        const id = this.schemaId(file, pointer);
        if (this.added.has(id)) return id;
        this.added.add(id);
        const node = pointer ? atPointer(loadDoc(file), pointer) : loadDoc(file);
        this.ajv.addSchema(this.rewrite(node, file), id);
        return id;
    }

    refTarget(ref, file) {
        const [rel, fragment = ""] = ref.split("#");
        const target = rel ? path.resolve(path.dirname(file), rel) : file;
        return [target, fragment];
    }

    // A copy of a schema with OpenAPI's annotations dropped and each $ref pointing at a registered schema.
    rewrite(schema, file) {
        if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
        const out = {};
        for (const [key, value] of Object.entries(schema)) {
            if (key === "example" || key === "examples" || key.startsWith("x-")) continue;
            if (key === "$ref") out.$ref = this.addSchema(...this.refTarget(value, file));
            else if (ONE.has(key)) out[key] = this.rewrite(value, file);
            else if (MAP.has(key) && value && typeof value === "object") {
                out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.rewrite(v, file)]));
            } else if (LIST.has(key) && Array.isArray(value)) out[key] = value.map((v) => this.rewrite(v, file));
            else out[key] = value;
        }
        return out;
    }

    // Follows OpenAPI-level $refs (responses, headers) inside the same file or another one.
    deref(node, file) {
        while (node && node.$ref) {
            const [target, fragment] = this.refTarget(node.$ref, file);
            node = atPointer(loadDoc(target), fragment);
            file = target;
        }
        return [node, file];
    }

    /**
     * Checks one response. Returns { operation, problems, notes }: problems are spec violations (the scenario
     * fails), notes are things worth reporting that the spec allows (an error status an operation does not list).
     */
    check(method, pathname, status, contentType, bodyText, requestBody) {
        const op = this.match(method, pathname, requestBody);
        const result = { operation: op?.id, problems: [], notes: [] };
        if (!op) return result;
        const where = `${method} ${op.path} (${op.id})`;
        const responses = op.op.responses ?? {};
        const key = [String(status), `${String(status)[0]}XX`, "default"].find((k) => k in responses);
        let schemaFile = op.file, schemaPointer;
        if (key) {
            const [response, responseFile] = this.deref(responses[key], op.file);
            const media = response?.content?.["application/json"];
            if (!media?.schema) return result; // no JSON body defined (e.g. media downloads)
            schemaFile = responseFile;
            schemaPointer = this.pointerOf(responses[key], op, key, responseFile) + "/content/application~1json/schema";
        } else if (status >= 400) {
            result.notes.push(`${where}: status ${status} is not listed for this operation; checked as a standard error`);
            schemaFile = path.join(SPEC_DATA, "api", "client-server", "definitions", "errors", "error.yaml");
            schemaPointer = "";
        } else {
            result.problems.push(`${where}: status ${status} is not a response the spec defines`);
            return result;
        }
        let body;
        try {
            body = JSON.parse(bodyText);
        } catch {
            result.problems.push(`${where} ${status}: body is not JSON (${contentType ?? "no content type"}): ${bodyText.slice(0, 80)}`);
            return result;
        }
        const id = this.addSchema(schemaFile, schemaPointer);
        const validate = this.ajv.getSchema(id);
        if (!validate(body)) {
            const errors = validate.errors.slice(0, 5).map((e) => `${e.instancePath || "/"} ${e.message}`
                + (e.params?.additionalProperty ? ` '${e.params.additionalProperty}'` : "")
                + (e.params?.allowedValues ? ` ${JSON.stringify(e.params.allowedValues)}` : ""));
            result.problems.push(`${where} ${status}: response does not match the spec's schema: ${errors.join("; ")}`);
        }
        if (status < 300) result.problems.push(...this.checkEventContents(body, `${where} ${status}`));
        return result;
    }

    // The operation schemas describe events generically (type: string, content: object); the event schemas
    // in data/event-schemas say what each type's content holds. Every event found in a response (anything
    // with a string `type` and an object `content`) whose type has a schema gets its content checked.
    checkEventContents(body, where) {
        const problems = [];
        const visit = (node, at) => {
            if (node === null || typeof node !== "object") return;
            if (Array.isArray(node)) return node.forEach((v, i) => visit(v, `${at}/${i}`));
            const isEvent = typeof node.type === "string" && node.content && typeof node.content === "object"
                && !Array.isArray(node.content);
            // A redacted event keeps only the content keys the redaction algorithm preserves.
            if (isEvent && !node.unsigned?.redacted_because && Object.keys(node.content).length > 0) {
                const validate = this.eventContentValidator(node.type, node.content);
                if (validate && !validate(node.content)) {
                    const errors = validate.errors.slice(0, 3).map((e) => `content${e.instancePath} ${e.message}`);
                    problems.push(`${where}: event ${at} (${node.type}${node.event_id ? " " + node.event_id : ""}) does not match the spec's event schema: ${errors.join("; ")}`);
                }
            }
            for (const [key, value] of Object.entries(node)) if (!(isEvent && key === "content")) visit(value, `${at}/${key}`);
        };
        visit(body, "");
        return problems;
    }

    eventContentValidator(type, content) {
        const dir = path.join(SPEC_DATA, "event-schemas", "schema");
        // Subtypes have their own files, e.g. m.room.message$m.text.yaml.
        const candidates = [typeof content.msgtype === "string" ? `${type}$${content.msgtype}` : null,
            typeof content.method === "string" ? `${type}$${content.method}` : null, type];
        for (const name of candidates) {
            if (!name || name.includes("/")) continue;
            const file = path.join(dir, `${name}.yaml`);
            if (!fs.existsSync(file)) continue;
            const doc = loadDoc(file);
            if (!doc?.properties?.content) return null;
            return this.ajv.getSchema(this.addSchema(file, "/properties/content"));
        }
        return null;
    }

    // The JSON pointer of a response object, following a $ref to where the object really lives.
    pointerOf(response, op, key) {
        if (response.$ref) {
            let node = response, file = op.file, fragment;
            while (node.$ref) {
                [file, fragment] = this.refTarget(node.$ref, file);
                node = atPointer(loadDoc(file), fragment);
            }
            return fragment;
        }
        return `${op.pointer}/responses/${key}`;
    }

    /** Validates a value against a whole schema file (e.g. an event schema). */
    validateFile(relativeFile, value) {
        const validate = this.ajv.getSchema(this.addSchema(path.join(SPEC_DATA, relativeFile), ""));
        return validate(value) ? [] : validate.errors.slice(0, 5).map((e) => `${e.instancePath || "/"} ${e.message}`);
    }
}
