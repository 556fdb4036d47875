import { ApiError } from '../api.ts';
import type { AppContext, Screen } from '../context.ts';
import { routes } from '../router.ts';
import type { Session } from '../types.ts';
import { el, heading } from '../ui/dom.ts';
import { busy, clearErrors, formAlert, showFieldError, textField, valueOf } from '../ui/forms.ts';

/** Sign-in, with errors that say what happened: wrong credentials (or a locked account), too many attempts. */
export function loginScreen(ctx: AppContext, o: { next?: string; email?: string; notice?: string }): Screen {
  let failures = 0;
  const submit = el('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');
  const password = textField({ label: 'Password', name: 'password', type: 'password', required: true, attrs: { autocomplete: 'current-password', maxlength: 1024 } });
  const reveal = el('button', { type: 'button', class: 'btn-link reveal', 'aria-pressed': 'false' }, 'Show password');
  const passwordInput = password.querySelector('input')!;
  reveal.addEventListener('click', () => {
    const show = passwordInput.type === 'password';
    passwordInput.type = show ? 'text' : 'password';
    reveal.setAttribute('aria-pressed', String(show));
    reveal.textContent = show ? 'Hide password' : 'Show password';
  });
  password.append(reveal);
  const form = el('form', { class: 'form auth-form', novalidate: true, 'aria-labelledby': 'login-title' },
    formAlert(),
    textField({ label: 'Email', name: 'email', type: 'email', required: true, value: o.email ?? '', attrs: { autocomplete: 'username', maxlength: 254, spellcheck: 'false' } }),
    password,
    submit);
  const title = heading('Sign in to the console', 1, { id: 'login-title' });
  const element = el('div', { class: 'auth-screen' },
    el('div', { class: 'auth-card' },
      el('p', { class: 'auth-brand' }, el('span', { class: 'logo', 'aria-hidden': 'true' }, 'R'), 'Rendezvous'),
      title,
      el('p', { class: 'muted' }, 'For store staff: appointments, requests and live chat.'),
      o.notice ? el('p', { class: 'notice', role: 'status' }, o.notice) : null,
      form));

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    clearErrors(form);
    const email = valueOf(form, 'email').trim();
    const pass = valueOf(form, 'password');
    if (!email) return showFieldError(form, 'email', 'Enter your email address.');
    if (!pass) return showFieldError(form, 'password', 'Enter your password.');
    void busy(submit, 'Signing in…', async () => {
      try {
        const session = await ctx.api.post<Session>('/session', { email, password: pass });
        ctx.signedIn(session);
        ctx.navigate(o.next && o.next.startsWith('#/') && !o.next.startsWith('#/login') ? o.next : routes.appointments('today'), true);
      } catch (error) {
        failures++;
        showFieldError(form, undefined, loginProblem(error, failures));
        if (error instanceof ApiError && error.code === 'invalid_credentials') {
          passwordInput.value = '';
        }
      }
    });
  });

  return { element, title: 'Sign in' };
}

/** What a failed sign-in tells the person. */
export function loginProblem(error: unknown, failures: number): string {
  if (!(error instanceof ApiError)) return 'Sign-in failed. Please try again.';
  switch (error.code) {
    case 'invalid_credentials':
      // The server does not say whether the account is locked (that would tell attackers): say what can be.
      return failures >= 3
        ? `${error.message} If you keep being refused, your account may be locked: wait 15 minutes, or ask an administrator for a new invite link.`
        : error.message;
    case 'rate_limited':
      return 'Too many sign-in attempts from your network. Wait a minute, then try again.';
    case 'csrf_failed':
      return 'Sign-in was refused because the page was not opened from the console’s own address. Open the console again and retry.';
    case 'network':
      return error.message;
    case 'invalid_input':
      return 'Enter your email address and password.';
    default:
      return error.status >= 500 ? 'The server had a problem. Please try again in a moment.' : error.message;
  }
}
