// What a volunteer notices at arm's length without looking: the result spoken (where the phone
// has a voice for the language), else a tone; and a vibration per result.
import { currentLocale } from "./i18n.js";

let audio = null;
let speechOn = true;

export function setSpeech(on) {
  speechOn = Boolean(on);
  if (!speechOn) globalThis.speechSynthesis?.cancel();
}

function voiceFor(locale) {
  const voices = globalThis.speechSynthesis?.getVoices?.() || [];
  const prefix = locale === "zh_Hans" ? "zh" : "en";
  return voices.find((v) => v.lang?.toLowerCase().startsWith(prefix === "zh" ? "zh-cn" : prefix))
    || voices.find((v) => v.lang?.toLowerCase().startsWith(prefix)) || null;
}

/** Say `text` if speech is on and a voice exists; false if it could not (play a tone then). */
export function speak(text) {
  const synth = globalThis.speechSynthesis;
  if (!speechOn || !text || !synth || typeof SpeechSynthesisUtterance === "undefined") return false;
  const voice = voiceFor(currentLocale());
  if (!voice) return false;
  try {
    synth.cancel(); // the newest result matters, not a queue of old ones
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.voice = voice;
    utterance.lang = voice.lang;
    utterance.rate = 1.05;
    synth.speak(utterance);
    return true;
  } catch {
    return false; // a tone instead
  }
}
globalThis.speechSynthesis?.getVoices?.(); // voices load late: ask early

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

/** Vibrate, and speak `spoken` or else play the state's tone. */
export function signal(state, spoken) {
  if (navigator.vibrate) {
    try {
      navigator.vibrate(VIBRATION[state]);
    } catch {
      // not allowed without a gesture on some browsers
    }
  }
  if (speak(spoken)) return;
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
