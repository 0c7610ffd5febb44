// What a volunteer notices at arm's length without looking: a tone and a vibration per result.
let audio = null;

/** Call from a tap (browsers only allow sound after one). */
export function unlockAudio() {
  try {
    audio = audio || new AudioContext();
    if (audio.state === "suspended") audio.resume();
  } catch {
    audio = null;
  }
}

const TONES = {
  ok: [[880, 0.12]],
  warn: [[660, 0.1], [660, 0.1]],
  bad: [[220, 0.35]],
};
const VIBRATION = { ok: 80, warn: [60, 60, 60], bad: [250] };

export function signal(state) {
  if (navigator.vibrate) {
    try {
      navigator.vibrate(VIBRATION[state]);
    } catch {
      // not allowed without a gesture on some browsers
    }
  }
  if (!audio || audio.state !== "running") return;
  let at = audio.currentTime;
  for (const [frequency, length] of TONES[state]) {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.25, at);
    gain.gain.exponentialRampToValueAtTime(0.001, at + length);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(at);
    oscillator.stop(at + length);
    at += length + 0.05;
  }
}
