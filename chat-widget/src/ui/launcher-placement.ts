/** Phones: the launcher floats over the page, so it must not sit on the page's own buttons and links. */
const PHONE_MAX_WIDTH = 480;
const CONTROLS = 'a[href], button, input, select, textarea, summary, [role="button"], [role="link"], [tabindex]:not([tabindex="-1"])';
const GAP = 8;

/**
 * Lifts the launcher above any control of the page it would cover at its place (checked on
 * scroll and resize, once a frame at most); a no-op on wider screens. Returns a stop function.
 */
export function keepLauncherClear(launcher: HTMLElement, host: Element): () => void {
  let frame = 0;
  const place = () => {
    frame = 0;
    launcher.style.removeProperty('--rdv-lift');
    if (window.innerWidth >= PHONE_MAX_WIDTH || launcher.getClientRects().length === 0) return; // wide screen, or hidden
    const base = launcher.getBoundingClientRect();
    let lift = 0;
    // Each lift may land on another control: a few steps up at most.
    for (let step = 0; step < 4; step++) {
      const covered = controlsUnder(base.left, base.top - lift, base.right, base.bottom - lift, host);
      if (covered.length === 0) break;
      const highestTop = Math.min(...covered.map((c) => c.getBoundingClientRect().top));
      lift = Math.max(lift + 1, base.bottom - highestTop + GAP);
      if (base.top - lift < 0) return launcher.style.removeProperty('--rdv-lift'); // no room: stay put
    }
    if (lift > 0) launcher.style.setProperty('--rdv-lift', `${Math.ceil(lift)}px`);
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(place);
  };
  window.addEventListener('scroll', schedule, { passive: true });
  window.addEventListener('resize', schedule);
  schedule();
  return () => {
    cancelAnimationFrame(frame);
    window.removeEventListener('scroll', schedule);
    window.removeEventListener('resize', schedule);
  };
}

/** The page's controls (not the widget's) found at a grid of points over a rectangle. */
function controlsUnder(left: number, top: number, right: number, bottom: number, host: Element): Element[] {
  const found = new Set<Element>();
  for (const fx of [0.1, 0.5, 0.9]) {
    for (const fy of [0.1, 0.5, 0.9]) {
      const x = left + (right - left) * fx;
      const y = top + (bottom - top) * fy;
      for (const element of document.elementsFromPoint(x, y)) {
        if (element === host || host.contains(element)) continue;
        const control = element.closest(CONTROLS);
        if (control) found.add(control);
      }
    }
  }
  return [...found];
}
