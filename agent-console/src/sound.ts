/**
 * The alert when a customer starts waiting: two short tones made with the Web Audio API (no audio
 * file). Browsers only let a page make sound after the person interacted with it, so the context is
 * created (or resumed) on the first click or key press.
 */

type AudioContextClass = typeof AudioContext;

let context: AudioContext | null = null;

function audioContextClass(): AudioContextClass | null {
  const w = window as unknown as { AudioContext?: AudioContextClass; webkitAudioContext?: AudioContextClass };
  return w.AudioContext ?? w.webkitAudioContext ?? null;
}

/** Call once at start-up: unlocks audio on the first user gesture. */
export function unlockAudioOnGesture(): void {
  const unlock = () => {
    const Ctx = audioContextClass();
    if (!Ctx) return;
    try {
      context ??= new Ctx();
      if (context.state === 'suspended') void context.resume();
    } catch {
      context = null;
    }
  };
  for (const type of ['pointerdown', 'keydown'] as const) {
    window.addEventListener(type, unlock, { capture: true, passive: true });
  }
}

/** Plays the two-tone alert; silently does nothing when audio is unavailable or still locked. */
export function beep(): void {
  if (!context || context.state !== 'running') return;
  const start = context.currentTime + 0.01;
  for (const [offset, frequency] of [[0, 880], [0.18, 1175]] as const) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.type = 'sine';
    oscillator.frequency.value = frequency;
    const t = start + offset;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.15);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(t);
    oscillator.stop(t + 0.16);
  }
}
