// QR decoding: the browser's own BarcodeDetector where it reads qr_code, zxing-wasm (ZXing-C++
// compiled to WebAssembly, self-hosted under /static/vendor/ and precached) otherwise. The
// WebAssembly build also finds inverted (light-on-dark) codes, which native detectors often miss,
// so frames the native detector finds nothing in are also given to it every other time.
//
// A frame goes to the WebAssembly decoder in passes, each a different clean-up of the same frame
// (static/app/enhance.js), until one finds something. Every camera frame gets the passes that
// read most; one more pass changes from frame to frame, so a card held in view for a few frames
// (the camera gives 10–25 a second) meets every pass at the cost of one. Measured on the shared
// samples and on the harder generated set of tests/qr_hard.py: docs/pwa.md, "Decoder".
import { prepareZXingModule, readBarcodes } from "/static/vendor/zxing-wasm/es/reader/index.js";
import { boxBlur, halveRGBA, toImageData, triangleBlur } from "./enhance.js";

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

/**
 * The passes. `half`: the frame at half its width and height (2×2 means: half the noise's σ,
 * four times less work); `blur`: smoothings applied in turn after that (BLURS); `options`: the
 * decoder's own (tryDenoise: a morphological closing inside ZXing).
 */
export const PASSES = {
  // clean and small codes (every shared sample, down to a code 110 px wide in 640×480)
  half: { half: true, blur: [], options: {} },
  // sensor noise, faint print, motion blur: alone, close to nine frames in ten of the harder set
  smooth: { half: true, blur: ["triangle"], options: { tryDenoise: true } },
  // heavier noise on larger cards, each read by one more frame in fifty or so. Heavy noise is
  // print in a dim hall, not a phone screen (screens light themselves), so no inverted try:
  // it would double the time these passes spend on the many frames with no code at all
  smoother: { half: true, blur: ["triangle", "box1"], options: { tryDenoise: true, tryInvert: false } },
  wider: { half: true, blur: ["box2"], options: { tryDenoise: true, tryInvert: false } },
  // the frame as it came (the decoder before these passes): photos only, it adds nothing on
  // camera frames of either set and costs twice a half-size pass
  full: { half: false, blur: [], options: {} },
};
export const EVERY_FRAME = ["half", "smooth"];
export const ROTATION = ["smoother", "wider"];
const PHOTO_PASSES = [...EVERY_FRAME, ...ROTATION, "full"];

const BLURS = {
  triangle: triangleBlur, // two box means of radius 1 (5×5) in one go
  box1: (gray, width, height) => boxBlur(gray, width, height, 1),
  box2: (gray, width, height) => boxBlur(gray, width, height, 2),
};

/** The image a pass decodes; `memo` keeps the half-size frame and blurs for the next passes. */
function passImage(imageData, pass, memo) {
  if (!pass.half) return imageData;
  if (!memo.has("")) memo.set("", halveRGBA(imageData.data, imageData.width, imageData.height));
  const { width, height } = memo.get("");
  let key = "";
  let { gray } = memo.get("");
  for (const blur of pass.blur) {
    key += `${blur},`;
    if (!memo.has(key)) memo.set(key, { gray: BLURS[blur](gray, width, height) });
    gray = memo.get(key).gray;
  }
  return toImageData(gray, width, height);
}

/** Texts found by the first of `names` that finds any (each pass a clean-up of the frame). */
export async function decodePasses(imageData, names) {
  await prepareWasm();
  const memo = new Map();
  for (const name of names) {
    const pass = PASSES[name];
    const results = await readBarcodes(passImage(imageData, pass, memo), { ...READER_OPTIONS, ...pass.options });
    const texts = results.filter((r) => r.isValid && r.text).map((r) => r.text);
    if (texts.length) return texts;
  }
  return [];
}

/** Every QR text found in an ImageData (a photo): every pass, until one finds something. */
export function decodeImageData(imageData) {
  return decodePasses(imageData, PHOTO_PASSES);
}

/** The passes camera frame number `index` gets: the usual ones and its turn of the others. */
export function cameraPasses(index) {
  return [...EVERY_FRAME, ROTATION[index % ROTATION.length]];
}

let wasmFrames = 0;

/** Texts in one camera frame given as ImageData, the `index`-th the decoder sees. */
export function decodeCameraFrame(imageData, index = wasmFrames++) {
  return decodePasses(imageData, cameraPasses(index));
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
  return decodeCameraFrame(grab());
}

export async function decoderName() {
  return (await getNativeDetector()) ? "BarcodeDetector+zxing-wasm" : "zxing-wasm";
}
