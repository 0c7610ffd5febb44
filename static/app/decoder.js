// QR decoding: the browser's own BarcodeDetector where it reads qr_code, zxing-wasm (ZXing-C++
// compiled to WebAssembly, self-hosted under /static/vendor/ and precached) otherwise. The
// WebAssembly build also finds inverted (light-on-dark) codes, which native detectors often miss,
// so frames the native detector finds nothing in are also given to it every other time.
import { prepareZXingModule, readBarcodes } from "/static/vendor/zxing-wasm/es/reader/index.js";

export const WASM_URL = "/static/vendor/zxing-wasm/reader/zxing_reader.wasm";

const READER_OPTIONS = {
  formats: ["QRCode"],
  tryHarder: true,
  tryRotate: true,
  tryInvert: true,
  tryDownscale: true,
  maxNumberOfSymbols: 4,
};

let wasmReady = null;
let nativeDetector;

/** Load the WebAssembly module from our own origin (never the library's default CDN). */
export function prepareWasm() {
  if (!wasmReady) {
    wasmReady = prepareZXingModule({
      overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? WASM_URL : prefix + path) },
      fireImmediately: true,
    });
  }
  return wasmReady;
}

/** A native BarcodeDetector that reports qr_code support, or null. */
export async function getNativeDetector() {
  if (nativeDetector !== undefined) return nativeDetector;
  nativeDetector = null;
  try {
    if ("BarcodeDetector" in globalThis) {
      const formats = await globalThis.BarcodeDetector.getSupportedFormats();
      if (formats.includes("qr_code")) nativeDetector = new globalThis.BarcodeDetector({ formats: ["qr_code"] });
    }
  } catch {
    nativeDetector = null;
  }
  return nativeDetector;
}

/** Every QR text found in an ImageData, with the WebAssembly decoder. */
export async function decodeImageData(imageData) {
  await prepareWasm();
  const results = await readBarcodes(imageData, READER_OPTIONS);
  return results.filter((r) => r.isValid && r.text).map((r) => r.text);
}

let frameCounter = 0;

/**
 * Texts found in one camera frame. `source` is anything BarcodeDetector accepts (the video);
 * `grab()` returns the frame as ImageData for the WebAssembly decoder.
 */
export async function decodeFrame(source, grab) {
  const detector = await getNativeDetector();
  if (detector) {
    try {
      const found = await detector.detect(source);
      if (found.length) return found.map((b) => b.rawValue).filter(Boolean);
    } catch {
      // a frame the detector cannot read (e.g. not ready yet): fall through to the library
    }
    frameCounter += 1;
    if (frameCounter % 2) return [];
  }
  return decodeImageData(grab());
}

export async function decoderName() {
  return (await getNativeDetector()) ? "BarcodeDetector+zxing-wasm" : "zxing-wasm";
}
