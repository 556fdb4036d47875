import type { Labels } from '../i18n.ts';
import { el } from './dom.ts';
import { icon } from './icons.ts';

export interface Composer {
  element: HTMLFormElement;
  input: HTMLTextAreaElement;
  setEnabled(enabled: boolean, placeholder: string): void;
  setLabels(t: Labels): void;
}

const MAX_HEIGHT_PX = 120;

/** The free-text box: Enter sends, Shift+Enter starts a new line. */
export function createComposer(t: Labels, onSend: (text: string) => void, onTyping: (on: boolean) => void): Composer {
  const label = el('label', { class: 'rdv-sr-only', for: 'rdv-input' }, t.messageLabel);
  const input = el('textarea', { class: 'rdv-textarea', id: 'rdv-input', rows: 1, maxlength: 2000, enterkeyhint: 'send', autocomplete: 'off' });
  const send = el('button', { type: 'submit', class: 'rdv-send', 'aria-label': t.send }, icon('send', 20));
  const element = el('form', { class: 'rdv-composer' }, label, input, send);
  let idle: ReturnType<typeof setTimeout> | undefined;

  const grow = () => {
    input.style.height = 'auto';
    input.style.height = `${Math.min(input.scrollHeight, MAX_HEIGHT_PX)}px`;
  };
  const submit = () => {
    const text = input.value.trim();
    if (!text || input.disabled) return;
    clearTimeout(idle);
    onSend(text);
    input.value = '';
    grow();
  };

  element.addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
    input.focus();
  });
  input.addEventListener('keydown', (event) => {
    // isComposing: Enter confirms an IME candidate (Japanese, Chinese…), it must not send.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  input.addEventListener('input', () => {
    grow();
    onTyping(input.value.trim() !== '');
    clearTimeout(idle);
    idle = setTimeout(() => onTyping(false), 4000);
  });

  return {
    element,
    input,
    setEnabled(enabled, placeholder) {
      input.disabled = !enabled;
      send.disabled = !enabled;
      input.placeholder = placeholder;
    },
    setLabels(next) {
      label.textContent = next.messageLabel;
      send.setAttribute('aria-label', next.send);
    },
  };
}
