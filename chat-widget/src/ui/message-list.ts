/**
 * Keeps the log's children in step with a list of keyed entries. An entry is rendered again only when one
 * of its inputs changed, so forms keep what the visitor typed and screen readers are not read old lines.
 */
export interface ListEntry {
  key: string;
  /** Compared by identity with the previous render's. */
  inputs: readonly unknown[];
  render(): HTMLElement;
  /** False once the visitor has answered: its controls are disabled in place. */
  interactive: boolean;
}

interface Mounted {
  inputs: readonly unknown[];
  node: HTMLElement;
  interactive: boolean;
}

export function createMessageList(root: HTMLElement): { update(entries: ListEntry[]): void } {
  let mounted = new Map<string, Mounted>();
  return {
    update(entries) {
      const next = new Map<string, Mounted>();
      let cursor: ChildNode | null = root.firstChild;
      for (const entry of entries) {
        let item = mounted.get(entry.key);
        if (!item || !sameInputs(item.inputs, entry.inputs)) {
          if (item) {
            if (item.node === cursor) cursor = cursor.nextSibling;
            item.node.remove();
          }
          item = { inputs: entry.inputs, node: entry.render(), interactive: true };
        }
        if (item.interactive !== entry.interactive) setInteractive(item.node, entry.interactive);
        item.interactive = entry.interactive;
        if (item.node !== cursor) root.insertBefore(item.node, cursor);
        else cursor = cursor.nextSibling;
        next.set(entry.key, item);
      }
      for (const [key, item] of mounted) if (!next.has(key)) item.node.remove();
      mounted = next;
    },
  };
}

function sameInputs(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function setInteractive(node: HTMLElement, interactive: boolean): void {
  node.classList.toggle('rdv-answered', !interactive);
  for (const control of node.querySelectorAll<HTMLButtonElement | HTMLInputElement>('button, input')) control.disabled = !interactive;
}
