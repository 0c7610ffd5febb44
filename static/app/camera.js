// The rear camera and the continuous decode loop: one frame at a time, never queued up, so the
// result shown is always about what the camera sees now.
import { decodeFrame } from "./decoder.js";

const MAX_SIDE = 960; // enough for a card at arm's length, small enough to decode in a few ms

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

  schedule() {
    if (!this.running) return;
    if (this.video.requestVideoFrameCallback) this.video.requestVideoFrameCallback(() => this.tick());
    else setTimeout(() => this.tick(), 40);
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
    try {
      if (this.video.videoWidth) {
        const started = performance.now();
        const texts = await decodeFrame(this.video, () => this.grab());
        this.frames += 1;
        if (this.frames === 1) performance.mark("lwpwa-first-frame");
        if (texts.length && this.running) await this.onTexts(texts, started);
      }
    } catch (error) {
      console.error("scan", error);
    }
    this.schedule();
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
