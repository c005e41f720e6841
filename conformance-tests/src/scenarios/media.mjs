// The content repository as a client uses it: upload an image, download it through authenticated media
// (matrix-js-sdk's mxcUrlToHttp with useAuthentication, the access token in the Authorization header) and
// ask for thumbnails, whose real dimensions are read from the image returned.
import zlib from "node:zlib";
import { assert, assertEqual } from "../harness.mjs";
import { validatingFetch } from "../http.mjs";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
});
function crc32(buffer) {
    let c = 0xffffffff;
    for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
}

/** A valid RGB PNG of the given size: a gradient, so that it is not trivially compressible to nothing. */
export function png(width, height) {
    const header = Buffer.alloc(13);
    header.writeUInt32BE(width, 0);
    header.writeUInt32BE(height, 4);
    header[8] = 8;  // bit depth
    header[9] = 2;  // colour type: RGB
    const raw = Buffer.alloc((width * 3 + 1) * height);
    for (let y = 0; y < height; y++) {
        const row = y * (width * 3 + 1);
        raw[row] = 0; // filter: none
        for (let x = 0; x < width; x++) {
            raw[row + 1 + x * 3] = (x * 255) / width;
            raw[row + 2 + x * 3] = (y * 255) / height;
            raw[row + 3 + x * 3] = 128;
        }
    }
    return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        chunk("IHDR", header), chunk("IDAT", zlib.deflateSync(raw)), chunk("IEND", Buffer.alloc(0))]);
}

/** Width and height of a PNG (IHDR) or JPEG (first SOFn marker), or null. */
export function imageSize(bytes) {
    if (bytes.length > 24 && bytes.readUInt32BE(0) === 0x89504e47 && bytes.toString("ascii", 12, 16) === "IHDR") {
        return { type: "png", width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
    }
    if (bytes[0] === 0xff && bytes[1] === 0xd8) {
        for (let i = 2; i + 9 < bytes.length;) {
            if (bytes[i] !== 0xff) return null;
            const marker = bytes[i + 1];
            const length = bytes.readUInt16BE(i + 2);
            if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
                return { type: "jpeg", height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
            }
            i += 2 + length;
        }
    }
    return null;
}

async function authedGet(url, accessToken) {
    const response = await validatingFetch(url, { headers: accessToken ? { Authorization: `Bearer ${accessToken}` } : {} });
    return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

// Spec: Client-Server API, "Content repository": POST /_matrix/media/v3/upload, GET /_matrix/client/v1/media/
// download and thumbnail (authenticated media, v1.11), thumbnail methods and sizes.
export const mediaThumbnail = {
    name: "media-thumbnail",
    async run({ hs1 }) {
        const alice = await hs1.register("alice");
        const bob = await hs1.register("bob");
        const a = alice.client;
        const image = png(200, 100);

        const config = await a.getMediaConfig(true);
        assert(!config["m.upload.size"] || config["m.upload.size"] >= image.length, "the upload limit is below a 200x100 PNG");

        const { content_uri: mxc } = await a.uploadContent(image, { type: "image/png", name: "gradient.png", includeFilename: true });
        assert(/^mxc:\/\/[^/]+\/[A-Za-z0-9_-]+$/.test(mxc), `content_uri ${mxc} is not an mxc:// URI`);

        // Download: bob (any user of the server) gets exactly the bytes uploaded, with their type.
        const downloadUrl = bob.client.mxcUrlToHttp(mxc, undefined, undefined, undefined, false, true, true);
        assert(downloadUrl.includes("/_matrix/client/v1/media/download/"), `mxcUrlToHttp with useAuthentication gave ${downloadUrl}`);
        const download = await authedGet(downloadUrl, bob.client.getAccessToken());
        assertEqual(download.response.status, 200, "status of the authenticated download");
        assert(download.bytes.equals(image), `the downloaded bytes (${download.bytes.length}) differ from the uploaded image (${image.length})`);
        assertEqual(download.response.headers.get("content-type"), "image/png", "Content-Type of the download");

        // Without an access token the authenticated endpoints refuse.
        const anonymous = await authedGet(downloadUrl, undefined);
        assertEqual(anonymous.response.status, 401, "status of an authenticated-media download without an access token");
        assertEqual(JSON.parse(anonymous.bytes.toString()).errcode, "M_MISSING_TOKEN", "errcode of a download without an access token");

        // Thumbnails: crop gives the requested aspect ratio, scale keeps the original's; never upscaled.
        const thumbnail = async (width, height, method) => {
            const url = bob.client.mxcUrlToHttp(mxc, width, height, method, false, true, true);
            assert(url.includes("/_matrix/client/v1/media/thumbnail/"), `mxcUrlToHttp for a thumbnail gave ${url}`);
            const { response, bytes } = await authedGet(url, bob.client.getAccessToken());
            assertEqual(response.status, 200, `status of a ${width}x${height} ${method} thumbnail`);
            const size = imageSize(bytes);
            assert(size, `the ${width}x${height} ${method} thumbnail (${response.headers.get("content-type")}, ${bytes.length} bytes) is not a PNG or JPEG`);
            assertEqual(response.headers.get("content-type"), `image/${size.type}`, `Content-Type of the ${method} thumbnail`);
            return size;
        };
        const crop = await thumbnail(32, 32, "crop");
        assert(crop.width >= 32 && crop.height >= 32, `a 32x32 crop thumbnail is ${crop.width}x${crop.height}, smaller than requested`);
        assertEqual(crop.width, crop.height, "width and height of a 32x32 crop thumbnail (its aspect ratio)");
        assert(crop.width < 200 && crop.height < 100, `a 32x32 crop thumbnail of a 200x100 image is ${crop.width}x${crop.height}`);
        const scale = await thumbnail(64, 64, "scale");
        assert(scale.width >= 64 || scale.height >= 64, `a 64x64 scale thumbnail is ${scale.width}x${scale.height}, smaller than requested`);
        assert(scale.width <= 200 && scale.height <= 100, `a 64x64 scale thumbnail of a 200x100 image is ${scale.width}x${scale.height}: upscaled`);
        assert(Math.abs(scale.width - 2 * scale.height) <= 2, `a scale thumbnail of a 2:1 image is ${scale.width}x${scale.height}`);

        // An unknown media ID is M_NOT_FOUND.
        const missing = await authedGet(downloadUrl.replace(/\/download\/([^/]+)\/[^/?]+/, "/download/$1/nosuchmedia0000"), bob.client.getAccessToken());
        assertEqual(missing.response.status, 404, "status of a download of an unknown media ID");
        assertEqual(JSON.parse(missing.bytes.toString()).errcode, "M_NOT_FOUND", "errcode of a download of an unknown media ID");
    },
};
