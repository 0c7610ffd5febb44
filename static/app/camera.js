// The rear camera and the continuous decode loop: one frame at a time, never queued up, so the
// result shown is always about what the camera sees now.
import { decodeFrame } from "./decoder.js";

const MAX_SIDE = 960; // enough for a card at arm's length, small enough to decode in a few ms
// At most 25 decodes a second, with a breather after each: a main thread that is never idle
// starves the browser's low-priority work (Chromium then delays even service worker updates).
const MIN_INTERVAL = 40;
const MIN_IDLE = 15;

export class Camera {
  constructor(video, onTexts) {
    this.video = video;
    this.onTexts = onTexts;
    this.stream = null;
    this.running = false;
    this.canvas = document.createElement("canvas");
    this.context = this.canvas.getContext("2d", { willReadFrequently: true });
    this.frames = 0;
  }

  async start() {
    this.stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    this.video.srcObject = this.stream;
    this.video.muted = true;
    this.video.setAttribute("playsinline", "");
    await this.video.play();
    this.running = true;
    this.schedule();
  }

  /** Phones end the camera when the app goes to the background; the scan screen restarts it. */
  wasEnded() {
    return Boolean(this.stream) && this.track?.readyState !== "live";
  }

  async restart() {
    this.stop();
    await this.start();
  }

  get track() {
    return this.stream?.getVideoTracks()[0] || null;
  }

  hasTorch() {
    const capabilities = this.track?.getCapabilities?.() || {};
    return Boolean(capabilities.torch);
  }

  async setTorch(on) {
    await this.track.applyConstraints({ advanced: [{ torch: on }] });
  }

  stop() {
    this.running = false;
    for (const track of this.stream?.getTracks() || []) track.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  schedule(started = 0) {
    if (!this.running) return;
    const wait = Math.max(MIN_IDLE, MIN_INTERVAL - (performance.now() - started));
    setTimeout(() => {
      if (!this.running) return;
      if (this.video.requestVideoFrameCallback) this.video.requestVideoFrameCallback(() => this.tick());
      else this.tick();
    }, wait);
  }

  grab() {
    const { videoWidth: width, videoHeight: height } = this.video;
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    const w = Math.round(width * scale);
    const hgt = Math.round(height * scale);
    if (this.canvas.width !== w || this.canvas.height !== hgt) {
      this.canvas.width = w;
      this.canvas.height = hgt;
    }
    this.context.drawImage(this.video, 0, 0, w, hgt);
    return this.context.getImageData(0, 0, w, hgt);
  }

  async tick() {
    if (!this.running) return;
    const started = performance.now();
    try {
      if (this.video.videoWidth) {
        const texts = await decodeFrame(this.video, () => this.grab());
        this.frames += 1;
        if (this.frames === 1) performance.mark("lwpwa-first-frame");
        if (texts.length && this.running) await this.onTexts(texts, started);
      }
    } catch (error) {
      console.error("scan", error);
    }
    this.schedule(started);
  }
}

/** Decode a photo (a file the volunteer picked or took) into QR texts. */
export async function decodePhoto(file, decodeImageData) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, 1600 / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  const context = canvas.getContext("2d", { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  return decodeImageData(context.getImageData(0, 0, canvas.width, canvas.height));
}
