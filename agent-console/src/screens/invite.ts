import { ApiError } from '../api.ts';
import type { AppContext, Screen } from '../context.ts';
import { routes } from '../router.ts';
import { el, heading, link, replaceChildren } from '../ui/dom.ts';
import { busy, clearErrors, formAlert, showError, showFieldError, textField, valueOf } from '../ui/forms.ts';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 128;

/** Invite acceptance: the new colleague chooses a password (rules shown up front), then signs in. */
export function inviteScreen(ctx: AppContext, token: string): Screen {
  const rules = el('ul', { class: 'rules', id: 'password-rules' },
    el('li', { 'data-rule': 'length' }, `At least ${PASSWORD_MIN} characters (at most ${PASSWORD_MAX}).`),
    el('li', {}, 'Any characters, spaces included: a phrase of a few words is easy to remember and hard to guess.'),
    el('li', {}, 'Not a common password, and not made of your name or email address.'));
  const password = textField({
    label: 'New password', name: 'password', type: 'password', required: true,
    attrs: { autocomplete: 'new-password', minlength: PASSWORD_MIN, maxlength: PASSWORD_MAX * 4 },
  });
  const passwordInput = password.querySelector('input')!;
  passwordInput.setAttribute('aria-describedby', `password-rules ${passwordInput.getAttribute('aria-describedby') ?? ''}`.trim());
  const counter = el('p', { class: 'field-hint', 'aria-live': 'polite' }, `0 of ${PASSWORD_MIN} characters`);
  passwordInput.addEventListener('input', () => {
    const n = [...passwordInput.value.normalize('NFKC')].length;
    counter.textContent = n >= PASSWORD_MIN ? `${n} characters ✓` : `${n} of ${PASSWORD_MIN} characters`;
    rules.querySelector('[data-rule="length"]')?.classList.toggle('rule-ok', n >= PASSWORD_MIN && n <= PASSWORD_MAX);
  });
  password.append(counter);
  const submit = el('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Set password');
  const form = el('form', { class: 'form auth-form', novalidate: true },
    formAlert(),
    el('div', { class: 'rules-box' }, el('p', { class: 'rules-title' }, 'Your password'), rules),
    password,
    textField({ label: 'Repeat the password', name: 'confirm', type: 'password', required: true, attrs: { autocomplete: 'new-password' } }),
    submit);
  const card = el('div', { class: 'auth-card' },
    el('p', { class: 'auth-brand' }, el('span', { class: 'logo', 'aria-hidden': 'true' }, 'R'), 'Rendezvous'),
    heading('Welcome! Choose your password'),
    el('p', { class: 'muted' }, 'You were invited to the Rendezvous console. Choose a password to activate your account.'),
    form);
  const element = el('div', { class: 'auth-screen' }, card);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    clearErrors(form);
    const value = valueOf(form, 'password');
    const length = [...value.normalize('NFKC')].length;
    if (length < PASSWORD_MIN) return showFieldError(form, 'password', `Use at least ${PASSWORD_MIN} characters.`);
    if (length > PASSWORD_MAX) return showFieldError(form, 'password', `Use at most ${PASSWORD_MAX} characters.`);
    if (valueOf(form, 'confirm') !== value) return showFieldError(form, 'confirm', 'The two passwords differ.');
    void busy(submit, 'Saving…', async () => {
      try {
        const account = await ctx.api.post<{ email: string; name: string }>('/invites/accept', { token, password: value });
        const heading2 = heading('Your account is ready');
        replaceChildren(card,
          el('p', { class: 'auth-brand' }, el('span', { class: 'logo', 'aria-hidden': 'true' }, 'R'), 'Rendezvous'),
          heading2,
          el('p', {}, `Welcome, ${account.name}. Sign in with ${account.email} and your new password.`),
          link(routes.login(undefined, account.email), 'Sign in', { class: 'btn btn-primary btn-block' }));
        heading2.focus();
      } catch (error) {
        if (error instanceof ApiError && error.code === 'invite_invalid') {
          showFieldError(form, undefined, error.message);
        } else {
          showError(form, error);
        }
      }
    });
  });

  return { element, title: 'Accept invite' };
}
