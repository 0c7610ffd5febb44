// Grayscale clean-ups run on a camera frame before it reaches the QR decoder: a few passes over
// typed arrays, each well under a millisecond on 640×480. Halving the frame (the mean of 2×2
// pixels) halves the sensor noise's σ and makes the decoder four times faster; a box mean then
// averages the noise away further while a blurred or faint module keeps its mean. Sharpening,
// contrast stretching and local gain were measured too and lost codes (docs/pwa.md, "Decoder").
// No imports: the same file runs in the browser and in Node.

/** Luma of an RGBA buffer (ITU-R BT.601 weights, as the decoder itself uses). */
export function toGray(rgba, width, height) {
  const n = width * height;
  const gray = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i += 1, j += 4) {
    gray[i] = (306 * rgba[j] + 601 * rgba[j + 1] + 117 * rgba[j + 2] + 512) >> 10;
  }
  return gray;
}

/** Luma of an RGBA buffer at half the width and height, each pixel the mean of four. */
export function halveRGBA(rgba, width, height) {
  const w = width >> 1;
  const h = height >> 1;
  const out = new Uint8Array(w * h);
  const stride = width * 4;
  for (let y = 0; y < h; y += 1) {
    let a = 2 * y * stride;
    let o = y * w;
    for (let x = 0; x < w; x += 1, a += 8, o += 1) {
      const b = a + stride;
      const r = rgba[a] + rgba[a + 4] + rgba[b] + rgba[b + 4];
      const g = rgba[a + 1] + rgba[a + 5] + rgba[b + 1] + rgba[b + 5];
      const bl = rgba[a + 2] + rgba[a + 6] + rgba[b + 2] + rgba[b + 6];
      out[o] = (306 * r + 601 * g + 117 * bl + 2048) >> 12;
    }
  }
  return { gray: out, width: w, height: h };
}

/** Half the width and height of a gray buffer, each pixel the mean of four. */
export function halve(gray, width, height) {
  const w = width >> 1;
  const h = height >> 1;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y += 1) {
    let a = 2 * y * width;
    let b = a + width;
    let o = y * w;
    for (let x = 0; x < w; x += 1, a += 2, b += 2, o += 1) {
      out[o] = (gray[a] + gray[a + 1] + gray[b] + gray[b + 1] + 2) >> 2;
    }
  }
  return { gray: out, width: w, height: h };
}

/** Box mean of radius r (a (2r+1)² window), by running sums: along each row, then down the
 * columns a whole row at a time (cache-friendly). Edges repeat the border pixel. */
export function boxBlur(gray, width, height, r) {
  const rows = new Uint16Array(width * height);
  for (let y = 0; y < height; y += 1) {
    const row = y * width;
    const last = row + width - 1;
    let sum = 0;
    for (let k = -r; k <= r; k += 1) sum += gray[Math.min(last, Math.max(row, row + k))];
    for (let x = 0; x < width; x += 1) {
      rows[row + x] = sum;
      const add = row + x + r + 1;
      const drop = row + x - r;
      sum += gray[add > last ? last : add] - gray[drop < row ? row : drop];
    }
  }
  const out = new Uint8Array(width * height);
  const column = new Uint32Array(width);
  const scale = 1 / ((2 * r + 1) * (2 * r + 1));
  for (let k = -r; k <= r; k += 1) {
    const from = Math.min(height - 1, Math.max(0, k)) * width;
    for (let x = 0; x < width; x += 1) column[x] += rows[from + x];
  }
  for (let y = 0; y < height; y += 1) {
    const row = y * width;
    const add = Math.min(height - 1, y + r + 1) * width;
    const drop = Math.max(0, y - r) * width;
    for (let x = 0; x < width; x += 1) {
      out[row + x] = column[x] * scale + 0.5;
      column[x] += rows[add + x] - rows[drop + x];
    }
  }
  return out;
}

/** Two box means of radius 1 in one go: the 5×5 kernel [1 2 3 2 1]ᵀ[1 2 3 2 1] / 81, rows
 * then columns (edges repeat the border pixel). */
export function triangleBlur(gray, width, height) {
  const rows = new Uint16Array(width * height);
  for (let y = 0; y < height; y += 1) {
    const row = y * width;
    for (let x = 0; x < width; x += 1) {
      const l2 = gray[row + (x > 1 ? x - 2 : 0)];
      const l1 = gray[row + (x > 0 ? x - 1 : 0)];
      const r1 = gray[row + (x < width - 1 ? x + 1 : width - 1)];
      const r2 = gray[row + (x < width - 2 ? x + 2 : width - 1)];
      rows[row + x] = l2 + 2 * l1 + 3 * gray[row + x] + 2 * r1 + r2;
    }
  }
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y += 1) {
    const u2 = (y > 1 ? y - 2 : 0) * width;
    const u1 = (y > 0 ? y - 1 : 0) * width;
    const c = y * width;
    const d1 = (y < height - 1 ? y + 1 : height - 1) * width;
    const d2 = (y < height - 2 ? y + 2 : height - 1) * width;
    for (let x = 0; x < width; x += 1) {
      out[c + x] = (rows[u2 + x] + 2 * rows[u1 + x] + 3 * rows[c + x] + 2 * rows[d1 + x] + rows[d2 + x] + 40) / 81;
    }
  }
  return out;
}

/** A gray buffer as ImageData-shaped RGBA (what the decoder library takes). */
export function toImageData(gray, width, height) {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < gray.length; i += 1, j += 4) {
    const v = gray[i];
    data[j] = v;
    data[j + 1] = v;
    data[j + 2] = v;
    data[j + 3] = 255;
  }
  return { data, width, height };
}

